"""Why Turbo models are fast: the original model against its distilled few-step student, same prompt, same seed.

Diffusion is expensive because sampling calls the network once per denoising step, twice with classifier-free
guidance (the caption and the empty caption). A distilled student (`core.diffusion.distill`; SD-Turbo and LCMs on
the hub) samples in 1-4 steps, and an LCM reads the guidance scale as an input, so each step is one call. What the
speed costs is measured, not assumed: both models draw every single-shape prompt with the same seeds, the
attribute classifier judges each picture, and the paired difference in "all three right" (shape, colour, place)
comes with its 95% interval and the verdict on "as faithful as the original, within 5 points".
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from core.diffusion.choices import (
    BUNDLED,
    DISTILLED_MARGIN,
    DISTILLED_NAME,
    MAX_DISTILLED_STEPS,
    NAME,
    few_step_settings,
)
from core.diffusion.denoiser import TextToImage
from core.diffusion.fidelity import ALL_COMBINATIONS, ATTRIBUTES, Fidelity, single_shape_fidelity
from core.diffusion.generate import Request, Result, check_request, final
from core.runtime import get_model
from core.runtime.validate import MAX_MODEL_CHARS, text, whole_number
from core.stats import Difference, format_claim, format_estimate, paired_accuracy_difference

CLAIM = (
    f"The distilled model gets shape, colour and place right as often as the original, within "
    f"{DISTILLED_MARGIN * 100:.0f} points (distilled minus original)"
)


def plural(count: int, noun: str) -> str:
    """`1 step`, `4 steps`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def unet_calls(model: TextToImage, request: Request) -> int:
    """Network evaluations per image: guidance runs the caption and the empty caption at every step (batched into
    one call on 2N images, but twice the work); a distilled LCM reads w as an input and needs one."""
    return request.steps * (2 if model.guided(request.guidance) else 1)


def requests_for(
    original: TextToImage,
    distilled: TextToImage,
    prompt: object,
    seed: object,
    steps: object,
    guidance: object,
    scheduler: str,
    distilled_steps: object,
) -> tuple[Request, Request]:
    """The original's checked request and the distilled model's: same prompt and seed, `distilled_steps` with its
    own sampler, and the original's guidance for the bundled student (it reads w as an input), else its own."""
    settings = few_step_settings(distilled.source)
    distilled_guidance = guidance if distilled.source == BUNDLED else settings.guidance
    distilled_steps = whole_number(distilled_steps, "distilled steps", 1, MAX_DISTILLED_STEPS)
    return (
        check_request(original, prompt, seed, steps, guidance, scheduler, 1),
        check_request(distilled, prompt, seed, distilled_steps, distilled_guidance, settings.scheduler, 1),
    )


@dataclass(frozen=True)
class Side:
    label: str  # "original" or "distilled"
    request: Request
    result: Result
    unet_calls: int

    def line(self) -> str:
        return (
            f"**{self.label.capitalize()}**: {plural(self.request.steps, 'step')} with {self.request.scheduler}, "
            f"{plural(self.unet_calls, 'network evaluation')} per image, {self.result.seconds * 1000:.0f} ms"
        )


def side_by_side(
    original: TextToImage, original_request: Request, distilled: TextToImage, distilled_request: Request
) -> tuple[Side, Side]:
    """Both models' images for their requests (same prompt and seed: the same x_T for pixel models), each timed."""
    sides = []
    for label, model, request in (
        ("original", original, original_request),
        ("distilled", distilled, distilled_request),
    ):
        sides.append(Side(label, request, final(model, request), unet_calls(model, request)))
    return sides[0], sides[1]


def compare(
    prompt: object,
    seed: object,
    steps: object,
    guidance: object,
    scheduler: str,
    source: str,
    distilled_source: str,
    distilled_steps: object,
) -> tuple[Side, Side]:
    """The model from `source` and the distilled one from `distilled_source`, side by side on one prompt and seed
    (`requests_for`), each timed."""
    text(distilled_source, "distilled model", max_chars=MAX_MODEL_CHARS, example=BUNDLED, allow_empty=True)
    original, distilled = get_model(NAME, source), get_model(DISTILLED_NAME, distilled_source)
    requests = requests_for(original, distilled, prompt, seed, steps, guidance, scheduler, distilled_steps)
    return side_by_side(original, requests[0], distilled, requests[1])


def speed_line(original: Side, distilled: Side) -> str:
    ratio = original.result.seconds / max(distilled.result.seconds, 1e-9)
    return f"{original.line()}  \n{distilled.line()}  \nThe distilled model was **{ratio:.1f}x faster** here."


@dataclass(frozen=True)
class FewStepFidelity:
    original: Fidelity
    distilled: Fidelity
    original_steps: int
    distilled_steps: int
    gap: Difference  # distilled minus original, all three right, paired on prompt and seed

    def rows(self) -> list[list[str]]:
        """[model, steps, n, shape, colour, place, size, all three] for the original and the distilled model."""
        return [
            [what, str(steps), str(f.samples)]
            + [format_estimate(f.estimate(k), "{:.2f}") for k in (*ATTRIBUTES, "all_three")]
            for what, steps, f in (
                ("original", self.original_steps, self.original),
                ("distilled", self.distilled_steps, self.distilled),
            )
        ]

    def claim_line(self) -> str:
        points = format_claim(self.gap, "{:+.1f}", scale=100, unit=" points", n_label="paired samples")
        return f"{CLAIM}: {points}"


def non_inferiority(gap: Difference, margin: float = DISTILLED_MARGIN) -> Difference:
    """The claim "b is at most `margin` below a": it holds when the whole 95% interval lies above -margin, fails
    when it lies below. McNemar's p-value tests a difference of 0, not this claim, so the interval decides."""
    method = f"{gap.method.split(',')[0]}; holds when the interval lies above -{margin:.2f} (non-inferiority)"
    return replace(gap, null=-margin, direction=1, p_value=None, margin=None, method=method)


def measure(
    original: TextToImage,
    distilled: TextToImage,
    judge,
    original_request: Request,
    distilled_request: Request,
    seeds_per_prompt: int = 1,
    every: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> FewStepFidelity:
    """Every `every`-th single-shape prompt, `seeds_per_prompt` seeds each, through both models at the steps,
    guidance and sampler of their requests (prompt and seed are the evaluator's). `progress(done, total)` counts
    prompts over both models."""
    if original.latent or distilled.latent:
        raise ValueError(
            "fidelity is measured for the bundled models only: the judge was trained on the bundled model's shapes, "
            "not on Stable Diffusion's pictures"
        )
    per_model = len(ALL_COMBINATIONS[::every])

    def step(offset: int):
        return None if progress is None else lambda done, _: progress(offset + done, 2 * per_model)

    fidelity = [
        single_shape_fidelity(
            model, judge, r.steps, r.guidance, r.scheduler, seeds_per_prompt, every=every, progress=step(k * per_model)
        )
        for k, (model, r) in enumerate(((original, original_request), (distilled, distilled_request)))
    ]
    gap = non_inferiority(paired_accuracy_difference(fidelity[0].each, fidelity[1].each))
    return FewStepFidelity(fidelity[0], fidelity[1], original_request.steps, distilled_request.steps, gap)
