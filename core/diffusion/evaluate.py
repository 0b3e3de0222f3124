"""How well the bundled model follows its prompts, judged by the attribute classifier (trained on rendered
images only): single-shape fidelity (shape, colour, place and size), on the combinations the model saw in training
and on those held out of it (core.diffusion.held_out), two-shape binding, and diversity across seeds. Every rate
comes with its 95% Wilson interval (core.stats); the samples of one prompt are not independent, so read the
intervals as a lower bound on the uncertainty.

    python -m core.diffusion.evaluate                       # default settings: DPM-Solver++, 20 steps
    python -m core.diffusion.evaluate --scheduler DDPM --steps 1000
    python -m core.diffusion.evaluate --distilled --steps 4 # the few-step student against the 20-step original
"""

import argparse
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.diffusion import (
    attributes,
    models,  # noqa: F401 - registers the model
    shapes,
)
from core.diffusion.choices import BUNDLED, BUNDLED_SETTINGS, DEFAULT_SCHEDULER, MODEL_DIR, NAME
from core.diffusion.denoiser import TextToImage
from core.diffusion.generate import Request, generate_many
from core.diffusion.held_out import HELD_OUT, held_out_in_training
from core.diffusion.pipeline import from_images
from core.runtime import get_model
from core.stats import Estimate, format_estimate, format_p, proportion, proportion_difference

Combination = tuple[str, str, str]  # (colour, shape, place)
ALL_COMBINATIONS: tuple[Combination, ...] = tuple(
    (colour, shape, place)
    for shape, colour, place in itertools.product(shapes.SHAPES, shapes.COLOURS, shapes.POSITIONS)
)  # the 60 single-shape combinations, in the order that fixes each prompt's seeds and size


ATTRIBUTES = ("shape", "colour", "place", "size")


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

    @property
    def all_three(self) -> float:  # shape, colour and place right
        return self.rate("all_three")


@dataclass
class Binding:
    hits: dict[str, int]  # "both_right", "one_right" (at least one), "swapped" (the binding error) -> samples
    samples: int

    def estimate(self, key: str) -> Estimate:
        return proportion(self.hits[key], self.samples)


def sample(model: TextToImage, prompt: str, seeds: list[int], steps: int, guidance: float, scheduler: str):
    """(len(seeds), 32, 32, 3) uint8 images of one prompt, one per seed (each seed its own x_T), in one batch."""
    return np.stack(generate_many(model, [Request(prompt, s, steps, guidance, scheduler) for s in seeds]))


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
    """Every colour x shape x place prompt in `combinations` (every `every`-th of the 60), sizes alternating,
    `seeds_per_prompt` samples each. A prompt's size and seeds depend only on its place in ALL_COMBINATIONS.
    `progress(prompts done, prompts)` is called after each prompt."""
    hits = dict.fromkeys([*ATTRIBUTES, "all_three", "all_four"], 0)
    each: list[bool] = []
    start = time.perf_counter()
    chosen = [(i, c) for i, c in enumerate(ALL_COMBINATIONS) if not i % every and c in combinations]
    for done, (i, (colour, shape, place)) in enumerate(chosen, start=1):
        asked = shapes.Shape(shape, colour, list(shapes.SIZES)[i % 2], place)
        seeds = [1000 * i + k for k in range(seeds_per_prompt)]
        images = sample(model, shapes.single_caption(asked), seeds, steps, guidance, scheduler)
        for got_place, got, got_size in main_object(judge, images):
            got_colour, got_shape = got.split() if got != "empty" else ("", "")
            right = {
                "shape": got_shape == shape,
                "colour": got_colour == colour,
                "place": got_place == place,
                "size": got_size == asked.size,
            }
            for key, ok in right.items():
                hits[key] += ok
            each.append(right["shape"] and right["colour"] and right["place"])
            hits["all_three"] += each[-1]
            hits["all_four"] += all(right.values())
        if progress is not None:
            progress(done, len(chosen))
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
        images = sample(model, scene.caption, seeds, steps, guidance, scheduler)
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
    generated = sample(model, prompt, list(range(seeds)), steps, guidance, scheduler).astype(np.float32)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default=DEFAULT_SCHEDULER)
    parser.add_argument("--steps", type=int, default=BUNDLED_SETTINGS.steps)
    parser.add_argument("--guidance", type=float, default=BUNDLED_SETTINGS.guidance)
    parser.add_argument("--seeds", type=int, default=4, help="samples per prompt")
    parser.add_argument("--skip-pairs", action="store_true", help="single-shape fidelity only")
    parser.add_argument(
        "--distilled", action="store_true", help="the distilled student (LCM, --steps) against the default original"
    )
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    if args.distilled:
        distilled_against_original(args.steps, args.guidance, args.seeds)
        return
    model = get_model(NAME, BUNDLED)
    judge = attributes.load()
    settings = (args.steps, args.guidance, args.scheduler)
    print(f"bundled model, {args.scheduler}, {args.steps} steps, guidance {args.guidance}; 95% Wilson intervals")
    held_out = held_out_in_training(MODEL_DIR)
    seen = tuple(c for c in ALL_COMBINATIONS if c not in HELD_OUT)
    f_seen = single_shape_fidelity(model, judge, *settings, seeds_per_prompt=args.seeds, combinations=seen)
    f_new = single_shape_fidelity(model, judge, *settings, seeds_per_prompt=args.seeds, combinations=HELD_OUT)
    if held_out:
        print(f"this model was trained without the {len(held_out)} held-out colour-shape-place combinations")
    else:
        print(
            f"this model saw every combination in training: the {len(HELD_OUT)} combinations of "
            "core.diffusion.held_out are held out only once `python -m core.diffusion.train` retrains it"
        )
    for line in [
        *fidelity_lines(f"single shape, {len(seen)} combinations seen in training", f_seen),
        *fidelity_lines(
            f"single shape, {len(HELD_OUT)} combinations " + ("held out of training" if held_out else "to hold out"),
            f_new,
        ),
    ]:
        print(line)
    gap = proportion_difference(f_seen.hits["all_three"], f_seen.samples, f_new.hits["all_three"], f_new.samples)
    print(
        f"  held-out minus seen, all three right: {format_estimate(gap, '{:+.3f}')} (Newcombe), "
        f"{format_p(gap.p_value)} (Fisher)"
    )
    if not args.skip_pairs:
        b = two_shape_binding(model, judge, *settings, seeds_per_prompt=args.seeds)
        print(
            f"two shapes ({b.samples} samples): both right {stated(b.estimate('both_right'))}, at least one "
            f"{stated(b.estimate('one_right'))}, swapped (binding error) {stated(b.estimate('swapped'))}"
        )
        d = diversity(model, *settings)
        print(
            f"diversity (mean |pixel difference| between seeds, 0-255): generated {d['generated']:.1f}, "
            f"rendered {d['rendered']:.1f}"
        )


def distilled_against_original(steps: int, guidance: float, seeds: int) -> None:
    """Single-shape fidelity of the student and the original (DPM-Solver++, 20 steps) on the same prompts and seeds,
    and the paired claim "within 5 points" (core.diffusion.few_steps)."""
    from core.diffusion.choices import DISTILLED_NAME, LCM
    from core.diffusion.few_steps import measure

    original, student = get_model(NAME, BUNDLED), get_model(DISTILLED_NAME, BUNDLED)
    prompt = "a red circle"  # each request's prompt and seed are replaced by the evaluator's
    result = measure(
        original,
        student,
        attributes.load(),
        Request(prompt, 0, BUNDLED_SETTINGS.steps, BUNDLED_SETTINGS.guidance, DEFAULT_SCHEDULER),
        Request(prompt, 0, steps, guidance, LCM),
        seeds_per_prompt=seeds,
    )
    print(f"single shape, all 60 combinations, {seeds} seeds each; 95% Wilson intervals")
    titles = (f"original, {BUNDLED_SETTINGS.steps} steps", f"distilled, {steps} steps")
    for title, f in zip(titles, (result.original, result.distilled), strict=True):
        print(*fidelity_lines(title, f), sep="\n")
    print(result.claim_line())


if __name__ == "__main__":
    main()
