"""What a measured effect lets a demo claim: an estimate with its 95% interval, and the verdict the interval
supports ("holds", "does not hold", "not enough evidence"), rendered the same way on every page."""

import math
from dataclasses import dataclass

HOLDS, FAILS, UNCLEAR = "holds", "does not hold", "not enough evidence"


@dataclass(frozen=True)
class Estimate:
    """An effect with its confidence interval [low, high] from n items (or seeds).

    The claim under test is that the effect lies on the `direction` side of `null` (+1: above, -1: below);
    `margin`, if given, is the practical-equivalence margin: an interval inside null ± margin says the claimed
    effect is too small to matter. Where a p-value comes with the interval from a different method (McNemar
    beside Newcombe's interval, say), an effect counts only when both agree: p >= 1 - confidence turns a
    "holds" or "does not hold" read off the interval's side into "not enough evidence".
    """

    effect: float
    low: float
    high: float
    n: int
    p_value: float | None = None  # two-sided, against `null`, where a test applies
    method: str = ""  # how the interval (and the p-value) were computed, for the page's footnote
    null: float = 0.0
    direction: int = 1
    margin: float | None = None
    confidence: float = 0.95

    def __post_init__(self):
        if self.direction not in (1, -1):
            raise ValueError(f"direction must be +1 (effect above null) or -1 (below), got {self.direction!r}")

    @property
    def verdict(self) -> str:
        said = verdict(self.low, self.high, self.null, self.direction, self.margin)
        significant = self.p_value is None or self.p_value < 1 - self.confidence
        return said if significant or _equivalent(self.low, self.high, self.null, self.margin) else UNCLEAR


@dataclass(frozen=True)
class Difference(Estimate):
    """A paired difference b - a: `a_mean` and `b_mean` are the two means the effect is the gap between;
    `wilcoxon_p` is the Wilcoxon signed-rank p-value where per-seed values were compared."""

    a_mean: float = math.nan
    b_mean: float = math.nan
    wilcoxon_p: float | None = None


def verdict(low: float, high: float, null: float = 0.0, direction: int = 1, margin: float | None = None) -> str:
    """The verdict an interval supports: "holds" when it excludes `null` on the claimed side; "does not hold"
    when it excludes `null` on the other side or lies within null ± margin; otherwise "not enough evidence"
    (also for an undefined interval)."""
    if math.isnan(low) or math.isnan(high):
        return UNCLEAR
    lo, hi = direction * (low - null), direction * (high - null)  # claimed side is positive
    lo, hi = min(lo, hi), max(lo, hi)
    if lo > 0:
        return HOLDS
    if hi < 0:
        return FAILS
    return FAILS if _equivalent(low, high, null, margin) else UNCLEAR


def _equivalent(low: float, high: float, null: float, margin: float | None) -> bool:
    """Whether the whole interval lies within null ± margin: any effect is too small to matter."""
    return margin is not None and null - margin <= low and high <= null + margin


def format_p(p: float | None) -> str:
    if p is None or math.isnan(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def format_estimate(est: Estimate, fmt: str = "{:+.3f}", scale: float = 1.0, unit: str = "") -> str:
    """'effect [low, high]': the three numbers multiplied by `scale`, formatted with `fmt`, `unit` after the effect."""
    effect, low, high = (fmt.format(scale * v) for v in (est.effect, est.low, est.high))
    return f"{effect}{unit} [{low}, {high}]"


def format_claim(est: Estimate, fmt: str = "{:+.3f}", scale: float = 1.0, unit: str = "", n_label: str = "") -> str:
    """'effect [low, high], n = ..., p = ...: verdict', e.g. '+4.1 pp [-0.3, +8.6], n = 10 seeds, p = 0.066:
    not enough evidence' from fmt="{:+.1f}", scale=100, unit=" pp", n_label="seeds". The three numbers are
    multiplied by `scale`, formatted with `fmt` and followed by `unit`; `n_label` follows n."""
    numbers = format_estimate(est, fmt, scale, unit)
    count = f"n = {est.n}" + (f" {n_label}" if n_label else "")
    parts = [numbers, count] + ([format_p(est.p_value)] if est.p_value is not None else [])
    return ", ".join(parts) + f": {est.verdict}"
