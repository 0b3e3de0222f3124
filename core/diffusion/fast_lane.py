"""The fast lane: while other visitors wait in line on a CPU server, the Generate tab hands a request for the bundled
original to its distilled student. The student draws in 4 steps of one UNet call what the original draws in 20
guided steps of two (10x fewer calls, on a UNet of the same size), so a class that clicks Generate at once is
answered in seconds rather than in turn. The status line says which model answered and with how many steps, and a
visitor who wants the original unticks one box (`Generate` in `apps.text_to_image`). A GPU answers every request
with the model asked for: it is fast enough, and the lane only exists to keep a CPU server's line short.

The server is busy when someone waits in line behind the request, or when `BUSY_VISITORS` other visitors have
clicked in the suite within the last minute (a class at work: the next click is seconds away). The Few steps tab
measures what the switch costs in fidelity (`core.diffusion.few_steps`).
"""

from core.diffusion.choices import BUNDLED, DISTILLED_NAME, few_step_settings
from core.diffusion.denoiser import TextToImage
from core.diffusion.few_steps import unet_calls
from core.diffusion.generate import Request, check_request
from core.runtime import get_model, gpu_available

BUSY_VISITORS = 3  # other visitors active in the last minute from which a CPU server counts as busy


def busy_because(others_waiting: int, other_visitors: int) -> str:
    """Why the server counts as busy ("" when it does not): requests waiting behind this one, or other visitors
    active in the last minute."""
    if others_waiting > 0:
        return f"{others_waiting} waiting in line"
    if other_visitors >= BUSY_VISITORS:
        return f"{other_visitors} other visitors in the last minute"
    return ""


def takes_fast_lane(model: TextToImage, allowed: bool, others_waiting: int, other_visitors: int = 0) -> bool:
    """Whether the student answers instead of `model`: the visitor allows it, the server is busy (`busy_because`),
    the request is for the bundled original, and there is no GPU."""
    original = model.source == BUNDLED and not model.distilled
    busy = busy_because(others_waiting, other_visitors)
    return bool(allowed) and bool(busy) and original and not gpu_available()


def student_request(student: TextToImage, request: Request) -> Request:
    """The original's request for its student: same prompt, seed, guidance and batch; the student's own steps and
    sampler (it reads the guidance scale as an input, so one UNet call a step)."""
    settings = few_step_settings(BUNDLED)
    return check_request(
        student, request.prompt, request.seed, settings.steps, request.guidance, settings.scheduler, request.batch
    )


def fast_lane(
    model: TextToImage, request: Request, allowed: bool, others_waiting: int, other_visitors: int = 0
) -> tuple[TextToImage, Request, str]:
    """(model, request, note): the student, its request and a note saying so when `takes_fast_lane` and the student
    makes fewer UNet calls; else the inputs unchanged and an empty note."""
    if not takes_fast_lane(model, allowed, others_waiting, other_visitors):
        return model, request, ""
    student = get_model(DISTILLED_NAME, BUNDLED)
    fast = student_request(student, request)
    if unet_calls(student, fast) >= unet_calls(model, request):  # a request of 2 guided steps is as quick already
        return model, request, ""
    note = (
        f"The server is busy ({busy_because(others_waiting, other_visitors)}), so the distilled student answered "
        f"in {fast.steps} steps "
        f"(the original takes {request.steps}). Untick 'Fast when busy' to wait for the original. "
    )
    return student, fast, note
