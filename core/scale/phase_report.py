"""Do in-context learning and induction heads appear together? The measurements of `core.scale.phase_change`
read as curves with 95% intervals, where each curve jumps, and a verdict.

Where a curve jumps: the middle of the STRETCH-step stretch of training over which it changes most in its own
direction (the in-context score falls, the strongest head's prefix-matching score rises), read off the measured
points by linear interpolation. A stretch spans at least two measurements anywhere on the grid, so one noisy
point cannot make a jump, and a slow drift (the in-context score also improves a little early on) counts less
than a sudden change. Stretches start after the learning-rate warm-up (100 steps), in which the loss falls by
5 nats everywhere and any difference in how fast two positions learn moves the in-context score. When the induction head forms: its curve's window from 10% to 90% of its change between
the first measurement and the last. Neither needs a model of the curve's shape.

Intervals come from the bootstrap over what each curve averages (the held-out documents for the losses, the
probes for the heads; the strongest head is chosen again in every replicate), percentile intervals of 2,000
replicates. They cover the choice of documents and probes at the run's checkpoints, not a new training run:
that is what the seeds are for.

The verdict on Olsson et al.'s claim that in-context learning improves when the induction heads form: where the
95% interval of the in-context score's jump lies inside the head's formation window, "together"; where it lies
wholly outside, "apart"; else "not enough evidence". Where no head becomes an induction head (most of its
attention, the whole interval above 0.5, on the token after the earlier copy by the last step), or the in-context
score does not move (the interval of its change covers 0), there is nothing to compare.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.prompting.train import WARMUP
from core.stats.verdict import Estimate

N_BOOT = 2000
STRETCH = 100  # steps: twice the widest measurement spacing (50)
SETTLED = WARMUP  # stretches start after the learning-rate warm-up, in which every loss falls at once
MOST = 0.5  # an induction head: most of its attention on the token after the earlier copy
TOGETHER, APART, UNCLEAR = "together", "apart", "not enough evidence"
NO_CHANGE = "nothing to compare"


@dataclass(frozen=True)
class Curve:
    """One measured curve: per step its mean and 95% interval, and the bootstrap replicates of its change."""

    steps: np.ndarray  # (S,)
    mean: np.ndarray  # (S,)
    low: np.ndarray  # (S,)
    high: np.ndarray  # (S,)
    change: Estimate  # last value minus first, with its interval
    jump: Estimate  # the middle of the steepest stretch, with its interval
    window: tuple[float, float]  # the 10% and 90% crossings of the mean curve

    @property
    def changed(self) -> bool:
        """Whether the curve moved at all: the interval of its change excludes 0."""
        return self.change.low > 0 or self.change.high < 0

    @property
    def induction(self) -> bool:
        """For the strongest head's curve: whether it ends an induction head, MOST of its attention (the whole
        interval) on the token after the earlier copy."""
        return bool(self.low[-1] > MOST)


@dataclass(frozen=True)
class Run:
    """One seed's run: its three curves, the strongest head at the last step, and the verdict."""

    seed: int
    loss: Curve
    icl: Curve
    heads: Curve
    strongest: str  # "layer.head" (0-based) of the strongest head at the last step
    verdict: str


def crossing(steps: np.ndarray, values: np.ndarray, share: float) -> float:
    """The first step at which `values` has made `share` of its change from the first value to the last,
    interpolated linearly between measurements; nan where the curve does not change."""
    start, end = values[0], values[-1]
    if end == start:
        return float("nan")
    progress = (values - start) / (end - start)  # (S,) 0 at the start, 1 at the end
    after = int(np.argmax(progress >= share))
    if after == 0:
        return float(steps[0])
    s0, s1, p0, p1 = steps[after - 1], steps[after], progress[after - 1], progress[after]
    return float(s0 + (share - p0) / (p1 - p0) * (s1 - s0))


def steepest(steps: np.ndarray, values: np.ndarray, direction: int, stretch: float = STRETCH) -> float:
    """The middle of the `stretch`-step stretch over which `values` changes most in `direction` (+1 rise,
    -1 fall), stretches starting every 5 steps from SETTLED; the values between measurements are interpolated
    linearly."""
    starts = np.arange(max(steps[0], SETTLED), steps[-1] - stretch + 1, 5.0)
    if len(starts) == 0:
        return float("nan")
    moved = direction * (np.interp(starts + stretch, steps, values) - np.interp(starts, steps, values))
    return float(starts[int(np.argmax(moved))] + stretch / 2)


def _replicates(items: np.ndarray, seed: int) -> np.ndarray:
    """Bootstrap means over the item axis (1) of `items` (S, n, ...): (N_BOOT, S, ...)."""
    n = items.shape[1]
    draws = np.random.default_rng(seed).integers(0, n, size=(N_BOOT, n))  # (B, n)
    weights = np.stack([np.bincount(row, minlength=n) for row in draws]) / n  # (B, n)
    return np.einsum("bn,sn...->bs...", weights, items)


def curve(steps: np.ndarray, items: np.ndarray, seed: int, direction: int, heads: bool = False) -> Curve:
    """`items` (S, n) of per-item values, or with `heads` (S, n, layers x heads), whose curve is the strongest
    head's mean at each step; `direction` is the way it is expected to move (+1 up, -1 down)."""
    mean = items.mean(1)  # (S,) or (S, L*H)
    boot = _replicates(items, seed)  # (B, S) or (B, S, L*H)
    if heads:
        mean, boot = mean.max(-1), boot.max(-1)
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    jumps = np.array([steepest(steps, b, direction) for b in boot])  # (B,)
    lo, hi = np.nanpercentile(jumps, [2.5, 97.5])
    moved = boot[:, -1] - boot[:, 0]  # (B,)
    return Curve(
        steps,
        mean,
        low,
        high,
        Estimate(
            float(mean[-1] - mean[0]), *np.percentile(moved, [2.5, 97.5]).tolist(), items.shape[1], method="bootstrap"
        ),
        Estimate(steepest(steps, mean, direction), float(lo), float(hi), items.shape[1], method="bootstrap percentile"),
        (crossing(steps, mean, 0.1), crossing(steps, mean, 0.9)),
    )


def judge(jump: Estimate, window: tuple[float, float], changed: bool = True) -> str:
    """Together where the interval of the in-context jump lies inside the head's formation `window`, apart where
    it lies wholly outside, else unclear; nothing to compare where a curve did not change (`changed` false)."""
    if not changed:
        return NO_CHANGE
    start, end = window
    if start <= jump.low and jump.high <= end:
        return TOGETHER
    if jump.high < start or jump.low > end:
        return APART
    return UNCLEAR


def read_run(result: dict) -> Run:
    """One run of `core.scale.phase_change` (its JSON, parsed) judged."""
    measured = result["measurements"]
    steps = np.array([m["step"] for m in measured], dtype=float)  # (S,)
    icl_items = np.array([m["icl"] for m in measured])  # (S, documents)
    loss_items = np.array([m["loss"] for m in measured])  # (S, documents)
    head_items = np.array([m["heads"] for m in measured])  # (S, probes, layers, heads)
    per_layer = head_items.shape[3]  # heads per layer
    seed = int(result["seed"])
    icl = curve(steps, icl_items, seed, direction=-1)
    heads = curve(steps, head_items.reshape(len(steps), head_items.shape[1], -1), seed + 1, direction=1, heads=True)
    best = int(head_items[-1].mean(0).reshape(-1).argmax())
    return Run(
        seed,
        curve(steps, loss_items, seed + 2, direction=-1),
        icl,
        heads,
        f"{best // per_layer}.{best % per_layer}",
        judge(icl.jump, heads.window, icl.changed and heads.induction),
    )


def read_runs(folder: Path) -> list[dict]:
    """Every run's JSON in `folder` (seed-*.json), by seed."""
    return [json.loads(path.read_text()) for path in sorted(Path(folder).glob("seed-*.json"))]


def verdict_line(run: Run) -> str:
    """One sentence per seed: when each curve changes, and the verdict."""
    icl = run.icl.jump
    last = f"{run.icl.steps[-1]:.0f} steps"
    if not run.heads.induction:
        return (
            f"Seed {run.seed}: no induction head within {last} (the strongest head's prefix-matching score ends at "
            f"{run.heads.mean[-1]:.3f} [{run.heads.low[-1]:.3f}, {run.heads.high[-1]:.3f}], not above {MOST}): "
            f"**{run.verdict}**."
        )
    if not run.icl.changed:
        return (
            f"Seed {run.seed}: the in-context score did not move within {last} ({run.icl.change.effect:+.3f} nats "
            f"[{run.icl.change.low:+.3f}, {run.icl.change.high:+.3f}]): **{run.verdict}**."
        )
    start, end = run.heads.window

    def at(curve: Curve, step: float) -> float:
        return float(np.interp(step, curve.steps, curve.mean))

    return (
        f"Seed {run.seed}: head {run.strongest} becomes an induction head (prefix-matching score "
        f"{run.heads.mean[0]:.3f} to {run.heads.mean[-1]:.2f}) between steps {start:.0f} and {end:.0f} (10% to 90% "
        f"of its rise). In that window the in-context score goes from {at(run.icl, start):+.2f} to "
        f"{at(run.icl, end):+.2f} nats ({run.icl.mean[-1]:+.2f} at the end) and the held-out loss from "
        f"{at(run.loss, start):.2f} to {at(run.loss, end):.2f}; the in-context score falls most around step "
        f"{icl.effect:.0f} [{icl.low:.0f}, {icl.high:.0f}]: **{run.verdict}**."
    )


def summary(runs: list[Run]) -> str:
    """The claim over seeds: in how many of them the two change together."""
    together = sum(run.verdict == TOGETHER for run in runs)
    return f"In-context learning and the induction head change together at {together} of {len(runs)} seeds."
