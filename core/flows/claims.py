"""The flows page's likelihood claims, each as a paired gap over the same held-out points with its 95% t interval,
the paired t-test's p-value and a verdict (core.stats): a flow beats a single Gaussian, and the DDPM's bound is
looser than the flow's exact likelihood. The 2-D race's claims are read off its measured rows."""

import numpy as np
import torch

from core.flows.compare import DIFFUSION, FLOW, GAUSSIAN, DigitScores, Row
from core.flows.likelihood import LogDensity
from core.stats import Difference, paired_seed_difference


@torch.no_grad()
def better_held_out_likelihood(better: LogDensity, baseline: LogDensity, heldout: torch.Tensor) -> Difference:
    """log p_better(x) - log p_baseline(x) in nats, paired over the held-out points x (N, D); the claim: above 0."""
    return paired_seed_difference(baseline(heldout).numpy(), better(heldout).numpy())


def digit_claims(scores: DigitScores) -> list[tuple[str, Difference]]:
    """(claim, gap in bits/dim, positive = the claim holds) for the held-out digits, paired digit by digit."""
    bits = {name: np.asarray(values) for name, values in scores.per_digit.items()}
    return [
        (
            "the flow's exact likelihood beats a full-covariance Gaussian (bits/dim saved)",
            paired_seed_difference(bits[FLOW], bits[GAUSSIAN]),
        ),
        (
            "the DDPM's bound is looser than the flow's exact value (bits/dim above the flow)",
            paired_seed_difference(bits[FLOW], bits[DIFFUSION]),
        ),
    ]


def _holds(holds: bool) -> str:
    return "**holds here**" if holds else "**does not hold here**"


def not_learned(*rows: Row) -> str:
    """A warning (markdown) naming the models whose samples still miss the data; "" when every model learned it."""
    failed = [(r.model.split(" (")[0], r.fit.off_data) for r in rows if not r.fit.learned]  # ("flow", 0.4)
    if not failed:
        return ""
    who = "Neither model has" if len(failed) == len(rows) > 1 else f"The {failed[0][0]} has not"
    misses = " and ".join(f"{off:.0%} of the {name}'s samples" for name, off in failed)
    return (
        f"**{who} learned the data yet**: {misses} fall off it, where a trained model leaves about 1% (a flow a few "
        "more, on the bridges between modes). The verdicts below compare undertrained models: raise the training "
        "steps and run again before reading them.\n\n"
    )


def race_claims(flow: Row, ddpm: Row, dataset: str) -> str:
    """The course's claims about flows and diffusion, each with this race's numbers and whether it holds here
    (markdown for the page)."""
    f, d = flow.fit, ddpm.fit
    between = f"{f.off_data:.0%} of the flow's samples and {d.off_data:.0%} of the DDPM's fall off the data"
    covered = f"the flow's samples cover {f.covered:.0%} of the held-out points, the DDPM's {d.covered:.0%}"
    faster = flow.sampled.ms_per_sample < ddpm.sampled.ms_per_sample
    return f"""{not_learned(flow, ddpm)}**What the course says, checked on {dataset} with these settings**
- Flows, *exact likelihood*: the flow's held-out log p ({flow.heldout:.3f} nats) is exact; the DDPM's
  ({ddpm.heldout:.3f}) is only a lower bound.
- Flows, *exact, efficient sampling*: {flow.sampled.evaluations} network calls against the DDPM's
  {ddpm.sampled.evaluations}; {flow.sampled.ms_per_sample:.3f} against {ddpm.sampled.ms_per_sample:.3f} ms per
  sample: {_holds(faster)}.
- Flows, *trouble with highly multimodal data* (density left on the bridges between modes): {between}:
  {_holds(f.off_data > d.off_data)}.
- Diffusion, *fewer mode-collapse issues*: {covered}: {_holds(d.covered >= f.covered)}.
- Diffusion, *computationally expensive*: one network call per denoising step, {ddpm.sampled.evaluations} in all.

"Off the data": farther from every training point than 99% of held-out points are. "Cover": a sample lies as
close to the held-out point as real points usually do. Other datasets, step counts and seeds can turn a verdict.
"""
