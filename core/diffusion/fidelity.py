"""How well the bundled model follows its prompts, judged by the attribute classifier (trained on rendered
images only): single-shape fidelity (shape, colour, place and size), two-shape binding, and diversity across
seeds. Every rate comes with its 95% Wilson interval (core.stats); the samples of one prompt are not independent,
so read the intervals as a lower bound on the uncertainty. `core.diffusion.evaluate` prints them all."""

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.diffusion import attributes, shapes
from core.diffusion.denoiser import TextToImage
from core.diffusion.generate import Request, generate_many
from core.diffusion.pipeline import from_images
from core.stats import Estimate, format_estimate, proportion

Combination = tuple[str, str, str]  # (colour, shape, place)
ALL_COMBINATIONS: tuple[Combination, ...] = tuple(
    (colour, shape, place)
    for shape, colour, place in itertools.product(shapes.SHAPES, shapes.COLOURS, shapes.POSITIONS)
)  # the 60 single-shape combinations, in the order that fixes each prompt's seeds and size
ATTRIBUTES = ("shape", "colour", "place", "size")  # what the judge reads of one shape
PROMPTS_PER_BATCH = 12  # prompts sampled together; progress and the time limit are checked between batches


@dataclass
class Fidelity:
    hits: dict[str, int]  # "shape", "colour", "place", "size", "all_three", "all_four" -> samples right
    samples: int
    seconds: float
    each: list[bool] = field(default_factory=list)  # all three right, per sample in prompt and seed order

    def rate(self, key: str) -> float:
        return self.hits[key] / self.samples

    def estimate(self, key: str) -> Estimate:
        """The rate with its Wilson score interval."""
        return proportion(self.hits[key], self.samples)


@dataclass
class Binding:
    hits: dict[str, int]  # "both_right", "one_right" (at least one), "swapped" (the binding error) -> samples
    samples: int

    def estimate(self, key: str) -> Estimate:
        return proportion(self.hits[key], self.samples)


def sample(model: TextToImage, requests: list[Request]) -> np.ndarray:
    """(len(requests), 32, 32, 3) uint8 images, one per request (each its own x_T and generator), in one batch:
    each image is the one the request gives alone."""
    return np.concatenate(generate_many(model, requests))


def seeded(prompt: str, seeds: list[int], steps: int, guidance: float, scheduler: str) -> list[Request]:
    return [Request(prompt, s, steps, guidance, scheduler) for s in seeds]


def main_object(judge: attributes.AttributeClassifier, images: np.ndarray) -> list[tuple[str, str, str]]:
    """(place, "colour shape", size) of the most certainly occupied place in each image."""
    with torch.no_grad():
        x = from_images(images)
        probs = judge(x).softmax(-1)  # (N, 5, 13)
        sizes = judge.sizes(x).argmax(-1)  # (N, 5)
    rows = torch.arange(len(images))
    place = (1 - probs[..., 0]).argmax(-1)  # (N,)
    found = probs[rows, place, 1:].argmax(-1) + 1  # (N,)
    size = sizes[rows, place]  # (N,)
    return [
        (attributes.PLACES[p], attributes.OBJECTS[o], attributes.SIZES[z])
        for p, o, z in zip(place.tolist(), found.tolist(), size.tolist(), strict=True)
    ]


def single_shape_prompts(
    every: int = 1, combinations: tuple[Combination, ...] = ALL_COMBINATIONS
) -> list[tuple[int, shapes.Shape]]:
    """(index in ALL_COMBINATIONS, the shape asked for) of every `every`-th combination that is in `combinations`;
    sizes alternate with the index, so a prompt's size and seeds depend only on its place in ALL_COMBINATIONS."""
    return [
        (i, shapes.Shape(shape, colour, list(shapes.SIZES)[i % 2], place))
        for i, (colour, shape, place) in enumerate(ALL_COMBINATIONS)
        if not i % every and (colour, shape, place) in combinations
    ]


def judged(asked: shapes.Shape, got: tuple[str, str, str]) -> dict[str, bool]:
    """Which attributes of `asked` the judge's reading (place, "colour shape", size) gets right."""
    got_place, got_object, got_size = got
    got_colour, got_shape = got_object.split() if got_object != "empty" else ("", "")
    return {
        "shape": got_shape == asked.shape,
        "colour": got_colour == asked.colour,
        "place": got_place == asked.position,
        "size": got_size == asked.size,
    }


def single_shape_fidelity(
    model: TextToImage,
    judge,
    steps: int,
    guidance: float,
    scheduler: str,
    seeds_per_prompt: int = 4,
    every: int = 1,
    combinations: tuple[Combination, ...] = ALL_COMBINATIONS,
    progress: Callable[[int, int], None] | None = None,
) -> Fidelity:
    """Every colour x shape x place prompt of `single_shape_prompts`, `seeds_per_prompt` samples each (seeds
    1000 i + k), PROMPTS_PER_BATCH prompts per batch. `progress(prompts done, prompts)` after each batch."""
    hits = dict.fromkeys([*ATTRIBUTES, "all_three", "all_four"], 0)
    each: list[bool] = []
    start = time.perf_counter()
    chosen = single_shape_prompts(every, combinations)
    for first in range(0, len(chosen), PROMPTS_PER_BATCH):
        batch = chosen[first : first + PROMPTS_PER_BATCH]
        asked = [s for _, s in batch for _ in range(seeds_per_prompt)]  # one per image, in prompt and seed order
        requests = [
            r
            for i, s in batch
            for r in seeded(
                shapes.single_caption(s), [1000 * i + k for k in range(seeds_per_prompt)], steps, guidance, scheduler
            )
        ]
        for want, got in zip(asked, main_object(judge, sample(model, requests)), strict=True):
            right = judged(want, got)
            for key, ok in right.items():
                hits[key] += ok
            each.append(right["shape"] and right["colour"] and right["place"])
            hits["all_three"] += each[-1]
            hits["all_four"] += all(right.values())
        if progress is not None:
            progress(first + len(batch), len(chosen))
    return Fidelity(hits, len(each), time.perf_counter() - start, each)


def two_shape_binding(
    model: TextToImage, judge, steps: int, guidance: float, scheduler: str, prompts: int = 40, seeds_per_prompt: int = 4
) -> Binding:
    """Random pair captions ("a blue square above a yellow triangle"): are both objects right, and where?"""
    rng = np.random.default_rng(7)
    both = one = swapped = n = 0
    for i in range(prompts):
        scene = shapes.random_scene(rng, two_shape_rate=1.0)
        seeds = [5000 + 1000 * i + k for k in range(seeds_per_prompt)]
        images = sample(model, seeded(scene.caption, seeds, steps, guidance, scheduler))
        for found in attributes.read_places(judge, images):
            got = [attributes.OBJECTS[found[attributes.PLACES.index(s.position)]] for s in scene.shapes]
            want = [f"{s.colour} {s.shape}" for s in scene.shapes]
            right = [g == w for g, w in zip(got, want, strict=True)]
            both += all(right)
            one += any(right)
            swapped += got == want[::-1] or _colours_swapped(got, want)
            n += 1
    return Binding({"both_right": both, "one_right": one, "swapped": swapped}, n)


def _colours_swapped(got: list[str], want: list[str]) -> bool:
    """Shapes in the right places but with each other's colours."""
    if "empty" in got:
        return False
    (gc0, gs0), (gc1, gs1) = (g.split() for g in got)
    (wc0, ws0), (wc1, ws1) = (w.split() for w in want)
    return (gs0, gs1) == (ws0, ws1) and (gc0, gc1) == (wc1, wc0)


def diversity(model: TextToImage, steps: int, guidance: float, scheduler: str, seeds: int = 8) -> dict[str, float]:
    """Mean absolute pixel difference (0-255) between samples of one prompt: generated vs rendered."""
    prompt = "a large red circle in the centre"
    generated = sample(model, seeded(prompt, list(range(seeds)), steps, guidance, scheduler)).astype(np.float32)
    scene = shapes.Scene((shapes.Shape("circle", "red", "large", "centre"),), prompt)
    rng = np.random.default_rng(0)
    rendered = np.stack([shapes.render(scene, rng) for _ in range(seeds)]).astype(np.float32)

    def spread(x: np.ndarray) -> float:
        return float(np.mean([np.abs(a - b).mean() for a, b in itertools.combinations(x, 2)]))

    return {"generated": spread(generated), "rendered": spread(rendered)}


def stated(est: Estimate) -> str:
    return f"{format_estimate(est, '{:.3f}')}, n = {est.n}"


def fidelity_lines(title: str, f: Fidelity) -> list[str]:
    parts = ", ".join(f"{key} {stated(f.estimate(key))}" for key in ATTRIBUTES)
    return [
        f"{title} ({f.samples} samples, {f.seconds:.0f} s): {parts}",
        f"  all three (shape, colour, place) {stated(f.estimate('all_three'))}; "
        f"all four with size {stated(f.estimate('all_four'))}",
    ]
