"""Print how well the bundled model follows its prompts (core.diffusion.fidelity): single-shape fidelity on the
combinations seen in training and on those held out of it, two-shape binding, and diversity across seeds.

    python -m core.diffusion.evaluate                       # default settings: DPM-Solver++, 20 steps
    python -m core.diffusion.evaluate --scheduler DDPM --steps 1000
    python -m core.diffusion.evaluate --distilled --steps 4 # the few-step student against the 20-step original
"""

import argparse

import torch

from core.diffusion import attributes
from core.diffusion import models as _registered  # noqa: F401 - registers the model
from core.diffusion.choices import BUNDLED, BUNDLED_SETTINGS, DEFAULT_SCHEDULER, MODEL_DIR, NAME
from core.diffusion.claims import SEEN
from core.diffusion.claims import measure as compose
from core.diffusion.fidelity import diversity, fidelity_lines, stated, two_shape_binding
from core.diffusion.generate import Request
from core.diffusion.held_out import HELD_OUT, held_out_in_training
from core.runtime import get_model
from core.stats import format_estimate, format_p


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
    composition = compose(model, judge, args.seeds, *settings)
    if held_out:
        print(f"this model was trained without the {len(held_out)} held-out colour-shape-place combinations")
    else:
        print(
            f"this model saw every combination in training: the {len(HELD_OUT)} combinations of "
            "core.diffusion.held_out are held out only once `python -m core.diffusion.train` retrains it"
        )
    new = f"single shape, {len(HELD_OUT)} combinations " + ("held out of training" if held_out else "to hold out")
    print(*fidelity_lines(f"single shape, {len(SEEN)} combinations seen in training", composition.seen), sep="\n")
    print(*fidelity_lines(new, composition.held_out), sep="\n")
    gap = composition.gap
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
