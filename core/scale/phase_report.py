"""Do in-context learning and induction heads appear together? The measurements of `core.scale.phase_change`
read as curves with 95% intervals, the step at which each curve changes, and a verdict.

When a curve changes: the step at which it has made half of its change from the first measurement (step 0) to
the last, read off the measured points by linear interpolation; its 10% and 90% crossings bound its window.
That needs no model of the curve's shape. For the in-context score the change is a fall, for the strongest
head's prefix-matching score a rise.

Intervals come from the bootstrap over what each curve averages (the held-out documents for the losses, the
probes for the heads; the strongest head is chosen again in every replicate), percentile intervals of 2,000
replicates. They cover the choice of documents and probes at the run's checkpoints, not a new training run:
that is what the seeds are for.

The verdict on "they jump together" is an equivalence test read off the 95% interval of the gap between the two
halfway steps (in-context minus heads): inside plus or minus the measurement spacing there, "together" (no
farther apart than the measurements can tell); excluding 0 otherwise, "apart"; else "not enough evidence". The
margin is the grid's resolution, not a tuned number.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.stats.verdict import Estimate

N_BOOT = 2000
TOGETHER, APART, UNCLEAR = "together", "apart", "not enough evidence"
NO_CHANGE = "nothing to compare: a curve did not change"


@dataclass(frozen=True)
class Curve:
    """One measured curve: per step its mean and 95% interval, and the bootstrap replicates of its change."""

    steps: np.ndarray  # (S,)
    mean: np.ndarray  # (S,)
    low: np.ndarray  # (S,)
    high: np.ndarray  # (S,)
    change: Estimate  # last value minus first, with its interval
    halfway: Estimate  # the step of half the change, with its interval
    window: tuple[float, float]  # the 10% and 90% crossings of the mean curve
    boot_halfway: np.ndarray  # (N_BOOT,) the halfway step in each replicate

    @property
    def changed(self) -> bool:
        """Whether the curve moved at all: the interval of its change excludes 0."""
        return self.change.low > 0 or self.change.high < 0


@dataclass(frozen=True)
class Run:
    """One seed's run: its three curves, the strongest head at the last step, and the verdict on the gap."""

    seed: int
    loss: Curve
    icl: Curve
    heads: Curve
    strongest: str  # "layer.head" (0-based) of the strongest head at the last step
    gap: Estimate  # halfway step of the in-context score minus that of the heads
    resolution: float  # the measurement spacing around the two halfway steps
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


def _replicates(items: np.ndarray, seed: int) -> np.ndarray:
    """Bootstrap means over the item axis (1) of `items` (S, n, ...): (N_BOOT, S, ...)."""
    n = items.shape[1]
    draws = np.random.default_rng(seed).integers(0, n, size=(N_BOOT, n))  # (B, n)
    weights = np.stack([np.bincount(row, minlength=n) for row in draws]) / n  # (B, n)
    return np.einsum("bn,sn...->bs...", weights, items)


def curve(steps: np.ndarray, items: np.ndarray, seed: int, heads: bool = False) -> Curve:
    """`items` (S, n) of per-item values, or with `heads` (S, n, layers x heads), whose curve is the strongest
    head's mean at each step."""
    mean = items.mean(1)  # (S,) or (S, L*H)
    boot = _replicates(items, seed)  # (B, S) or (B, S, L*H)
    if heads:
        mean, boot = mean.max(-1), boot.max(-1)
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    halves = np.array([crossing(steps, b, 0.5) for b in boot])  # (B,)
    lo, hi = np.nanpercentile(halves, [2.5, 97.5])
    moved = boot[:, -1] - boot[:, 0]  # (B,)
    return Curve(
        steps,
        mean,
        low,
        high,
        Estimate(
            float(mean[-1] - mean[0]), *np.percentile(moved, [2.5, 97.5]).tolist(), items.shape[1], method="bootstrap"
        ),
        Estimate(crossing(steps, mean, 0.5), float(lo), float(hi), items.shape[1], method="bootstrap percentile"),
        (crossing(steps, mean, 0.1), crossing(steps, mean, 0.9)),
        halves,
    )


def spacing(steps: np.ndarray, at: float) -> float:
    """The measurement spacing around step `at`: the gap between the two measured steps that bracket it."""
    after = int(np.clip(np.searchsorted(steps, at), 1, len(steps) - 1))
    return float(steps[after] - steps[after - 1])


def judge(gap: Estimate, resolution: float, changed: bool = True) -> str:
    """Together where the gap's interval lies within +- resolution, apart where it excludes 0, else unclear; where
    one of the curves did not change (`changed` false) there is no step of change to compare."""
    if not changed:
        return NO_CHANGE
    if -resolution <= gap.low and gap.high <= resolution:
        return TOGETHER
    if gap.low > 0 or gap.high < 0:
        return APART
    return UNCLEAR


def read_run(result: dict) -> Run:
    """One run of `core.scale.phase_change` (its JSON, parsed) judged."""
    measured = result["measurements"]
    steps = np.array([m["step"] for m in measured], dtype=float)  # (S,)
    icl_items = np.array([m["icl"] for m in measured])  # (S, documents)
    loss_items = np.array([m["loss"] for m in measured])  # (S, documents)
    head_items = np.array([m["heads"] for m in measured])  # (S, probes, layers, heads)
    layers, per_layer = head_items.shape[2:]
    seed = int(result["seed"])
    icl = curve(steps, icl_items, seed)
    heads = curve(steps, head_items.reshape(len(steps), head_items.shape[1], -1), seed + 1, heads=True)
    gaps = icl.boot_halfway - heads.boot_halfway  # (B,) paired: both replicates come from one run
    lo, hi = np.nanpercentile(gaps, [2.5, 97.5])
    gap = Estimate(
        icl.halfway.effect - heads.halfway.effect, float(lo), float(hi), len(steps), method="bootstrap percentile"
    )
    resolution = max(spacing(steps, icl.halfway.effect), spacing(steps, heads.halfway.effect))
    best = int(head_items[-1].mean(0).reshape(-1).argmax())
    return Run(
        seed,
        curve(steps, loss_items, seed + 2),
        icl,
        heads,
        f"{best // per_layer}.{best % per_layer}",
        gap,
        resolution,
        judge(gap, resolution, icl.changed and heads.changed),
    )


def read_runs(folder: Path) -> list[dict]:
    """Every run's JSON in `folder` (seed-*.json), by seed."""
    return [json.loads(path.read_text()) for path in sorted(Path(folder).glob("seed-*.json"))]


def verdict_line(run: Run) -> str:
    """One sentence per seed: when each curve changes, and the verdict."""
    icl, heads = run.icl.halfway, run.heads.halfway
    last = f"{run.icl.steps[-1]:.0f} steps"
    if not run.heads.changed:
        return (
            f"Seed {run.seed}: no induction head within {last} (the strongest head's prefix-matching score moved "
            f"{run.heads.change.effect:+.3f} [{run.heads.change.low:+.3f}, {run.heads.change.high:+.3f}]): "
            f"**{run.verdict}**."
        )
    if not run.icl.changed:
        return (
            f"Seed {run.seed}: the in-context score did not move within {last} ({run.icl.change.effect:+.3f} nats "
            f"[{run.icl.change.low:+.3f}, {run.icl.change.high:+.3f}]): **{run.verdict}**."
        )
    return (
        f"Seed {run.seed}: the in-context score makes half its fall at step {icl.effect:.0f} "
        f"[{icl.low:.0f}, {icl.high:.0f}], the strongest head half its rise at step {heads.effect:.0f} "
        f"[{heads.low:.0f}, {heads.high:.0f}]; gap {run.gap.effect:+.0f} steps [{run.gap.low:+.0f}, "
        f"{run.gap.high:+.0f}] against a measurement spacing of {run.resolution:.0f}: **{run.verdict}**."
    )


def summary(runs: list[Run]) -> str:
    """The claim over seeds: in how many of them the two change together."""
    together = sum(run.verdict == TOGETHER for run in runs)
    return f"In-context learning and the induction head change together at {together} of {len(runs)} seeds."
