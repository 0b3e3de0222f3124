"""Text to images, one step at a time: checks the request, draws x_T from the seed, runs the reverse process and
hands back throttled previews (the current x_t and the predicted clean image) and, at the end, the images and a
strip of the reverse timeline. Inpainting runs the same loop with the known pixels held fixed. Requests that
arrive together (within a short window, or in one of Gradio's batches) are sampled together, each with its own
noise, and each fails on its own.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from core.diffusion.choices import LCM, MAX_BATCH, MAX_GUIDANCE, MAX_STEPS, MAX_TOGETHER, NAME, SCHEDULER_NAMES
from core.diffusion.denoiser import TextToImage
from core.diffusion.display import editor_image, erase_mask
from core.diffusion.sampling import denoise
from core.diffusion.schedulers import make_scheduler
from core.diffusion.text import check_prompt, unknown_words
from core.runtime import get_model, gpu
from core.runtime.batching import Batcher
from core.runtime.seeding import check_seed, make_generator, randn
from core.runtime.validate import choice, number, whole_number

PREVIEWS = 10  # at most this many previews per run
MIN_PREVIEW_SECONDS = 0.15  # and never more often than this
TIMELINE = 8  # frames in the reverse-timeline strip
TOGETHER_WINDOW_S = 0.05  # how long the first of a batch of requests waits for others (`final_together`)


@dataclass
class Request:
    prompt: str
    seed: int
    steps: int
    guidance: float
    scheduler: str
    batch: int = 1


@dataclass
class Preview:
    step: int  # steps done
    steps: int
    timestep: int
    x_t: np.ndarray  # (N, H, W, 3) uint8
    x0_pred: np.ndarray  # (N, H, W, 3) uint8


@dataclass
class Result:
    images: np.ndarray  # (N, H, W, 3) uint8
    seed: int
    seconds: float
    timeline: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (t, predicted x_0 of image 0)
    flagged: list[bool] = field(default_factory=list)  # the safety checker's verdict per image

    def summary(self, request: Request) -> str:
        """The status line, such as "20 steps in 1.23 s with DPM-Solver++, seed 0.", with any blanked images."""
        blanked = sum(self.flagged)
        note = f" The safety checker blanked {blanked} image(s)." if blanked else ""
        return f"{request.steps} steps in {self.seconds:.2f} s with {request.scheduler}, seed {self.seed}.{note}"


def check_request(
    model: TextToImage, prompt: object, seed: object, steps: object, guidance: object, scheduler: str, batch: object
) -> Request:
    """A valid request, or a ValueError saying which input to fix and how."""
    text = check_prompt(prompt)
    if not model.latent:
        unknown = unknown_words(model.pipe.tokenizer, text)
        if unknown:
            raise ValueError(
                f"the bundled model does not know the word{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(w) for w in unknown)} in the prompt: it knows shapes (circle, square, triangle), "
                "colours (red, green, blue, yellow), sizes (small, large) and places (on the left, at the top, in the "
                "centre, above, below, to the left of ...)"
            )
    request = Request(
        prompt=text,
        seed=check_seed(seed),
        steps=whole_number(steps, "steps", 1, MAX_STEPS),
        guidance=number(guidance, "guidance scale", 0.0, MAX_GUIDANCE),
        scheduler=choice(scheduler, "scheduler", (*SCHEDULER_NAMES, LCM)),
        batch=whole_number(batch, "batch size", 1, MAX_BATCH),
    )
    if model.streams and model.distilled != (request.scheduler == LCM):
        raise ValueError(
            f"a distilled model samples with {LCM} and only it does: pick {LCM} for the distilled model and one of "
            f"{', '.join(SCHEDULER_NAMES)} for the original"
        )
    if model.streams and model.distilled:
        most = model.pipe.scheduler.config.original_inference_steps  # the teacher's solver steps it was distilled on
        request.steps = whole_number(request.steps, "steps of the distilled model", 1, most)
    return request


def request_for(
    source: str, prompt: object, seed: object, steps: object, guidance: object, scheduler: str, batch: object
) -> tuple[TextToImage, Request]:
    """The text-to-image model of `source` ("bundled" or a hub id) and a valid request for it (`check_request`)."""
    model = get_model(NAME, source)
    return model, check_request(model, prompt, seed, steps, guidance, scheduler, batch)


def preview_stride(steps: int) -> int:
    """Show every k-th step so that a run streams at most PREVIEWS previews."""
    return max(1, -(-steps // PREVIEWS))


@gpu(duration=lambda model, request, *rest, **options: 10 + request.steps * request.batch // 10)  # 0.1 s a step
def generate(model: TextToImage, request: Request, preview: bool = True) -> Iterator[Preview | Result]:
    """Yield throttled previews while sampling, then the Result."""
    start = time.perf_counter()
    size = model.size
    if not model.streams:  # a pipeline whose parts the loop here does not know: run its own sampler
        yield _pipeline_call(model, request, start)
        return
    text, empty = model.text_states(request.prompt, request.batch, model.guided(request.guidance))
    noise = randn(model.noise_shape(request.batch, size), request.seed, model.device, model.dtype)  # x_T
    scheduler = make_scheduler(request.scheduler, model.pipe.scheduler)
    generator = make_generator(request.seed)
    stride, last_preview = preview_stride(request.steps), 0.0
    timeline_at = set(np.linspace(0, request.steps - 1, TIMELINE).round().astype(int).tolist())
    timeline = []
    for step in denoise(model.pipe.unet, scheduler, text, empty, noise, request.steps, request.guidance, generator):
        if step.index in timeline_at:
            timeline.append((step.timestep, model.to_images(step.x0_pred[:1])[0]))
        done = step.index + 1
        due = done % stride == 0 and time.perf_counter() - last_preview >= MIN_PREVIEW_SECONDS
        if preview and due and done < step.steps:
            last_preview = time.perf_counter()
            yield Preview(done, step.steps, step.timestep, model.to_images(step.x_t), model.to_images(step.x0_pred))
    images, flagged = model.safe(model.to_images(step.sample))
    yield Result(images, request.seed, time.perf_counter() - start, timeline, flagged)


def _pipeline_call(model: TextToImage, request: Request, start: float) -> Result:
    out = model.pipe(
        prompt=request.prompt,
        num_inference_steps=request.steps,
        guidance_scale=request.guidance,
        num_images_per_prompt=request.batch,
        generator=make_generator(request.seed),
        output_type="np",
    )
    images = (np.asarray(out.images) * 255).round().astype(np.uint8)
    flagged = [bool(f) for f in (getattr(out, "nsfw_content_detected", None) or [False] * len(images))]
    return Result(images, request.seed, time.perf_counter() - start, [], flagged)


def final(model: TextToImage, request: Request) -> Result:
    """Just the result, no previews."""
    *_, result = generate(model, request, preview=False)
    return result


@gpu(duration=lambda model, requests, **options: 10 + sum(r.steps * r.batch for r in requests) // 10)  # 0.1 s a step
def generate_many(model: TextToImage, requests: list[Request]) -> list[np.ndarray]:
    """Each request's (request.batch, H, W, 3) uint8 images, sampled together: requests that share steps,
    guidance and scheduler go through the UNet in one batch; each keeps its own prompt, its own x_T and its own
    generator for the scheduler's noise, and passes the same safety check, so each gets the images `final` gives
    it alone."""
    if not model.streams:
        return [final(model, r).images for r in requests]
    results: list[np.ndarray | None] = [None] * len(requests)
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(requests):
        groups.setdefault((r.steps, r.guidance, r.scheduler), []).append(i)
    size = model.size
    for (steps, guidance, scheduler_name), members in groups.items():
        group = [requests[i] for i in members]
        guided = model.guided(guidance)
        states = [model.text_states(r.prompt, r.batch, guided) for r in group]
        text = torch.cat([s[0] for s in states])  # (sum of batches, L, D)
        empty = torch.cat([s[1] for s in states]) if guided else None
        noise = torch.cat([randn(model.noise_shape(r.batch, size), r.seed, model.device, model.dtype) for r in group])
        scheduler = make_scheduler(scheduler_name, model.pipe.scheduler)
        generators = [g for r in group for g in [make_generator(r.seed)] * r.batch]  # a request's images share one
        *_, last = denoise(model.pipe.unet, scheduler, text, empty, noise, steps, guidance, generators)
        images, _ = model.safe(model.to_images(last.sample))  # (sum of batches, H, W, 3)
        ends = np.cumsum([r.batch for r in group])[:-1]
        for i, mine in zip(members, np.split(images, ends), strict=True):
            results[i] = mine
    return results


def final_together(model: TextToImage, request: Request) -> np.ndarray:
    """The (request.batch, H, W, 3) uint8 images of `final`, sampled in one batch with the requests for the same
    model, steps, guidance and scheduler that arrive within `TOGETHER_WINDOW_S` (`core.runtime.batching`); check
    the request first (`check_request`), so that only valid requests join a batch."""
    key = (id(model), request.steps, request.guidance, request.scheduler)
    return together.submit(key, (model, request), size=request.batch)


def _run_together(asks: list[tuple[TextToImage, Request]]) -> list[np.ndarray]:
    return generate_many(asks[0][0], [request for _, request in asks])


together = Batcher(_run_together, window_s=TOGETHER_WINDOW_S, most=MAX_TOGETHER)  # the batches of `final_together`


def generate_each(asks: list[tuple]) -> list[tuple[Request, np.ndarray] | Exception]:
    """For each ask (prompt, seed, steps, guidance, scheduler, model source) of a batch, unchecked as it arrived:
    its request and its one image, or the exception that it alone raised. Each ask loads its model and is checked
    on its own; the valid asks for the same model are sampled together (`generate_many`); a model that fails to
    load or to sample fails only its own asks."""
    outcomes: list[tuple[Request, np.ndarray] | Exception | None] = [None] * len(asks)
    groups: dict[int, tuple[TextToImage, list[int], list[Request]]] = {}  # id(model) -> model, ask indices, requests
    for i, (prompt, seed, steps, guidance, scheduler, source) in enumerate(asks):
        try:
            model, request = request_for(source, prompt, seed, steps, guidance, scheduler, 1)
        except Exception as err:  # noqa: BLE001 - reported to this ask alone, never to the others
            outcomes[i] = err
            continue
        _, members, requests = groups.setdefault(id(model), (model, [], []))
        members.append(i)
        requests.append(request)
    for model, members, requests in groups.values():
        try:
            answers = [(r, images[0]) for r, images in zip(requests, generate_many(model, requests), strict=True)]
        except Exception as err:  # noqa: BLE001 - reported to this model's asks alone
            answers = [err] * len(members)
        for i, answer in zip(members, answers, strict=True):
            outcomes[i] = answer
    return outcomes


@gpu(duration=lambda model, request, *rest, **options: 10 + request.steps * request.batch // 10)  # 0.1 s a step
def inpaint(model: TextToImage, request: Request, image: np.ndarray, keep: np.ndarray) -> Result:
    """Fill the region where `keep` (H, W) is False from the prompt, holding the other pixels of the (H, W, 3)
    uint8 `image` fixed (RePaint-style masked sampling; see `core.diffusion.sampling`)."""
    start = time.perf_counter()
    if not model.streams:
        raise ValueError(f"inpainting needs a Stable Diffusion-type model or the bundled one, not {model.source}")
    known = model.from_images(image[None].repeat(request.batch, 0))  # (N, C, h, w)
    mask = torch.from_numpy(keep.astype(np.float32))[None, None]  # (1, 1, H, W)
    mask = torch.nn.functional.interpolate(mask, size=known.shape[-2:], mode="area").round()
    mask = mask.to(known.device, known.dtype)  # (1, 1, h, w), 1 = keep
    text, empty = model.text_states(request.prompt, request.batch, model.guided(request.guidance))
    noise = randn(tuple(known.shape), request.seed, model.device, model.dtype)
    scheduler = make_scheduler(request.scheduler, model.pipe.scheduler)
    steps = denoise(
        model.pipe.unet, scheduler, text, empty, noise, request.steps, request.guidance,
        make_generator(request.seed), known=known, keep=mask,
    )  # fmt: skip
    *_, last = steps
    images, flagged = model.safe(model.to_images(last.sample))
    return Result(images, request.seed, time.perf_counter() - start, [], flagged)


def inpaint_edited(model: TextToImage, request: Request, editor: dict | None, region: str) -> tuple[np.ndarray, Result]:
    """Inpaint the image editor's picture (its `background` and brush `layers`): the kept pixels with the erased
    ones in black, (H, W, 3) uint8, and the result of regenerating `region` (or the painted area)."""
    image = editor_image((editor or {}).get("background"), model.size)
    erase = erase_mask(region, (editor or {}).get("layers") or [], model.size)
    result = inpaint(model, request, image, keep=~erase)
    kept = image.copy()
    kept[erase] = 0
    return kept, result
