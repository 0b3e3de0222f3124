"""The reverse process as the Generate tab shows it: sampling under the server's time limit, each throttled preview
as one grid of the current x_t and one of the predicted clean image x_0 with a status line, then the images
enlarged and the reverse timeline labelled with its timesteps (`core.diffusion.generate` does the sampling)."""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.diffusion.denoiser import TextToImage
from core.diffusion.display import enlarge, tile
from core.diffusion.generate import Preview, Request, generate
from core.runtime.limits import time_limited


@dataclass(frozen=True)
class Frame:
    """A preview while sampling."""

    step: int  # steps done
    steps: int
    x_t: np.ndarray  # (H, W, 3) uint8: the batch's x_t, tiled and enlarged
    x0_pred: np.ndarray  # (H, W, 3) uint8: the batch's predicted x_0, tiled and enlarged
    status: str  # "step 5 of 20 (t = 749)"


@dataclass(frozen=True)
class Done:
    """The finished images."""

    grid: np.ndarray  # (H, W, 3) uint8: the images tiled and enlarged
    gallery: list[np.ndarray]  # each image enlarged, (H, W, 3) uint8
    timeline: list[tuple[np.ndarray, str]]  # the first image's predicted x_0, enlarged, and "t = ..." from T to 0
    seed: int
    status: str  # `Result.summary`
    first: np.ndarray  # (32, 32, 3) uint8 for the bundled model: the first image at the model's size


def frames(model: TextToImage, request: Request) -> Iterator[Frame | Done]:
    """A Frame per preview of `generate`, then Done; `TooLong` past the server's time limit."""
    for out in time_limited(generate(model, request), "ask for fewer steps or a smaller batch"):
        if isinstance(out, Preview):
            status = f"step {out.step} of {out.steps} (t = {out.timestep})"
            yield Frame(out.step, out.steps, tile(out.x_t), tile(out.x0_pred), status)
            continue
        timeline = [(enlarge(frame), f"t = {t}") for t, frame in out.timeline]
        gallery = [enlarge(im) for im in out.images]
        yield Done(tile(out.images), gallery, timeline, out.seed, out.summary(request), out.images[0])
