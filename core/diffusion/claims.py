"""Does the bundled model compose words it never saw together? Its single-shape fidelity on the colour-shape-place
combinations held out of training (core.diffusion.held_out) against the combinations it saw, judged by the
attribute classifier, with Wilson intervals, the held-out minus seen gap (Newcombe's interval, Fisher's test) and
the verdict that gap supports (core.stats)."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from core.diffusion.choices import BUNDLED_SETTINGS, DEFAULT_SCHEDULER
from core.diffusion.fidelity import ALL_COMBINATIONS, ATTRIBUTES, Fidelity, single_shape_fidelity
from core.diffusion.held_out import HELD_OUT
from core.stats import Difference, format_claim, format_estimate, proportion_difference

CLAIM = "Combinations held out of training come out right less often than seen ones (shape, colour and place)"
SEEN = tuple(c for c in ALL_COMBINATIONS if c not in HELD_OUT)


@dataclass(frozen=True)
class Composition:
    seen: Fidelity
    held_out: Fidelity
    gap: Difference  # held-out minus seen rate of "all three right"; the claim is that it is below 0

    def rows(self) -> list[list[str]]:
        """[what, n, shape, colour, place, size, all three] for the seen and the held-out prompts."""
        return [
            [what, str(f.samples)] + [format_estimate(f.estimate(k), "{:.2f}") for k in (*ATTRIBUTES, "all_three")]
            for what, f in (("seen in training", self.seen), ("held out of training", self.held_out))
        ]

    def claim_line(self) -> str:
        return f"{CLAIM}: {format_claim(self.gap, '{:+.2f}', n_label='samples')}"


def measure(
    model,
    judge,
    seeds_per_prompt: int = 1,
    steps: int = BUNDLED_SETTINGS.steps,
    guidance: float = BUNDLED_SETTINGS.guidance,
    scheduler: str = DEFAULT_SCHEDULER,
    progress: Callable[[int, int], None] | None = None,
) -> Composition:
    """Every seen and every held-out single-shape prompt, `seeds_per_prompt` samples each, at the demo's settings.
    `progress(prompts done, prompts)` after each prompt."""
    total = len(SEEN) + len(HELD_OUT)

    def step(offset: int):
        return None if progress is None else lambda done, _: progress(offset + done, total)

    settings = (steps, guidance, scheduler)
    seen = single_shape_fidelity(model, judge, *settings, seeds_per_prompt, combinations=SEEN, progress=step(0))
    new = single_shape_fidelity(
        model, judge, *settings, seeds_per_prompt, combinations=HELD_OUT, progress=step(len(SEEN))
    )
    gap = proportion_difference(seen.hits["all_three"], seen.samples, new.hits["all_three"], new.samples)
    return Composition(seen, new, replace(gap, direction=-1))  # the claim: held out below seen
