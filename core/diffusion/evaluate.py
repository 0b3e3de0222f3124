"""How well the bundled model follows its prompts, judged by the attribute classifier (trained on rendered
images only): single-shape fidelity (shape, colour and place), two-shape binding, and diversity across seeds.

    python -m core.diffusion.evaluate                       # default settings: DPM-Solver++, 20 steps
    python -m core.diffusion.evaluate --scheduler DDPM --steps 1000
"""

import argparse
import itertools
import time
from dataclasses import dataclass

import numpy as np
import torch

from core.diffusion import (
    attributes,
    models,  # noqa: F401 - registers the model
    shapes,
)
from core.diffusion.denoiser import TextToImage
from core.diffusion.generate import Request, generate_many
from core.diffusion.pipeline import from_images
from core.diffusion.sources import BUNDLED, BUNDLED_SETTINGS, DEFAULT_SCHEDULER, NAME
from core.runtime import get_model


@dataclass
class Fidelity:
    shape: float
    colour: float
    place: float
    all_three: float
    samples: int
    seconds: float


@dataclass
class Binding:
    both_right: float  # both shapes with the asked colour, in the asked places
    one_right: float  # at least one of the two
    swapped: float  # the two colours (or shapes) exchanged: the classic binding error
    samples: int


def sample(model: TextToImage, prompt: str, seeds: list[int], steps: int, guidance: float, scheduler: str):
    """(len(seeds), 32, 32, 3) uint8 images of one prompt, one per seed (each seed its own x_T), in one batch."""
    return np.stack(generate_many(model, [Request(prompt, s, steps, guidance, scheduler) for s in seeds]))


def main_object(judge: attributes.AttributeClassifier, images: np.ndarray) -> list[tuple[str, str]]:
    """(place, "colour shape") of the most certainly occupied place in each image."""
    with torch.no_grad():
        probs = judge(from_images(images)).softmax(-1)  # (N, 5, 13)
    place = (1 - probs[..., 0]).argmax(-1)  # (N,)
    found = probs[torch.arange(len(images)), place, 1:].argmax(-1) + 1  # (N,)
    return [(attributes.PLACES[p], attributes.OBJECTS[o]) for p, o in zip(place.tolist(), found.tolist(), strict=True)]


def single_shape_fidelity(
    model: TextToImage, judge, steps: int, guidance: float, scheduler: str, seeds_per_prompt: int = 4, every: int = 1
) -> Fidelity:
    """Every shape x colour x place prompt (60; every `every`-th of them), sizes alternating,
    `seeds_per_prompt` samples each."""
    hits = {"shape": 0, "colour": 0, "place": 0, "all": 0}
    n = 0
    start = time.perf_counter()
    combos = itertools.product(shapes.SHAPES, shapes.COLOURS, shapes.POSITIONS)
    for i, (shape, colour, place) in enumerate(combos):
        if i % every:
            continue
        asked = shapes.Shape(shape, colour, list(shapes.SIZES)[i % 2], place)
        seeds = [1000 * i + k for k in range(seeds_per_prompt)]
        images = sample(model, shapes.single_caption(asked), seeds, steps, guidance, scheduler)
        for got_place, got in main_object(judge, images):
            got_colour, got_shape = got.split()
            right = {"shape": got_shape == shape, "colour": got_colour == colour, "place": got_place == place}
            for key, ok in right.items():
                hits[key] += ok
            hits["all"] += all(right.values())
            n += 1
    return Fidelity(
        hits["shape"] / n, hits["colour"] / n, hits["place"] / n, hits["all"] / n, n, time.perf_counter() - start
    )


def two_shape_binding(
    model: TextToImage, judge, steps: int, guidance: float, scheduler: str, prompts: int = 40, seeds_per_prompt: int = 4
) -> Binding:
    """Random pair captions ("a blue square above a yellow triangle"): are both objects right, and where?"""
    rng = np.random.default_rng(7)
    both = one = swapped = n = 0
    for i in range(prompts):
        scene = shapes.random_scene(rng, two_shape_rate=1.0)
        seeds = [5000 + 1000 * i + k for k in range(seeds_per_prompt)]
        images = sample(model, scene.caption, seeds, steps, guidance, scheduler)
        for found in attributes.read_places(judge, images):
            got = [attributes.OBJECTS[found[attributes.PLACES.index(s.position)]] for s in scene.shapes]
            want = [f"{s.colour} {s.shape}" for s in scene.shapes]
            right = [g == w for g, w in zip(got, want, strict=True)]
            both += all(right)
            one += any(right)
            swapped += got == want[::-1] or _colours_swapped(got, want)
            n += 1
    return Binding(both / n, one / n, swapped / n, n)


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
    generated = sample(model, prompt, list(range(seeds)), steps, guidance, scheduler).astype(np.float32)
    scene = shapes.Scene((shapes.Shape("circle", "red", "large", "centre"),), prompt)
    rng = np.random.default_rng(0)
    rendered = np.stack([shapes.render(scene, rng) for _ in range(seeds)]).astype(np.float32)

    def spread(x: np.ndarray) -> float:
        return float(np.mean([np.abs(a - b).mean() for a, b in itertools.combinations(x, 2)]))

    return {"generated": spread(generated), "rendered": spread(rendered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default=DEFAULT_SCHEDULER)
    parser.add_argument("--steps", type=int, default=BUNDLED_SETTINGS.steps)
    parser.add_argument("--guidance", type=float, default=BUNDLED_SETTINGS.guidance)
    parser.add_argument("--seeds", type=int, default=4, help="samples per prompt")
    parser.add_argument("--skip-pairs", action="store_true", help="single-shape fidelity only")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    model = get_model(NAME, BUNDLED)
    judge = attributes.load()
    settings = (args.steps, args.guidance, args.scheduler)
    print(f"bundled model, {args.scheduler}, {args.steps} steps, guidance {args.guidance}")
    f = single_shape_fidelity(model, judge, *settings, seeds_per_prompt=args.seeds)
    print(
        f"single shape ({f.samples} samples, {f.seconds:.0f} s): shape {f.shape:.3f}, colour {f.colour:.3f}, "
        f"place {f.place:.3f}, all three {f.all_three:.3f}"
    )
    if not args.skip_pairs:
        b = two_shape_binding(model, judge, *settings, seeds_per_prompt=args.seeds)
        print(
            f"two shapes ({b.samples} samples): both right {b.both_right:.3f}, at least one {b.one_right:.3f}, "
            f"swapped {b.swapped:.3f}"
        )
        d = diversity(model, *settings)
        print(
            f"diversity (mean |pixel difference| between seeds, 0-255): generated {d['generated']:.1f}, "
            f"rendered {d['rendered']:.1f}"
        )


if __name__ == "__main__":
    main()
