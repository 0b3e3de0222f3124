"""The compute-optimal size from IsoFLOP profiles (Hoffmann et al. 2022, approach 2), with intervals.

At one budget C, the held-out loss of models of N parameters each trained on C / (6 N) tokens is fitted by a
parabola in x = log10 N (ordinary least squares, as Hoffmann et al. fit each profile); its vertex x* is the
loss-minimising size N* = 10^x*, and D* / N* = C / (6 N*^2) the tokens per parameter there. The vertex is a ratio
of fitted coefficients, -b / (2c), so its 95% interval is Fieller's (1954): the x for which b + 2 c x = 0 is not
rejected by a t test on the fit's residuals. Where the parabola's curvature is not clearly positive, that set is
unbounded and no optimum is claimed. Across budgets, the log ratios are pooled by inverse-variance weighting
(each variance read off its interval's width), assuming the ratio does not change with C, as Hoffmann et al.
found (N* and D* both grow about as C^0.5); Cochran's Q tests that assumption.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2
from scipy.stats import t as student_t

from core.stats.verdict import Estimate

CHINCHILLA, NOTES_RATIO = 20.0, 15.0  # Hoffmann et al.'s tokens per parameter; the course notes' "more than 15:1"


@dataclass(frozen=True)
class Profile:
    """One budget's profile: its runs, the fitted parabola, and the optimum where one is found."""

    budget: float
    parameters: np.ndarray  # (k,)
    losses: np.ndarray  # (k,)
    coefficients: tuple[float, float, float]  # a, b, c of a + b x + c x^2, x = log10 N
    optimum: Estimate | None  # log10 N* with its Fieller interval; None where the interval is unbounded
    why_not: str = ""  # where there is no optimum, why

    @property
    def ratio(self) -> Estimate | None:
        """D* / N* = C / (6 N*^2), with the interval carried from N*'s (a larger N* means fewer tokens each)."""
        if self.optimum is None:
            return None
        at = [self.budget / (6 * 10 ** (2 * x)) for x in (self.optimum.effect, self.optimum.high, self.optimum.low)]
        return Estimate(at[0], at[1], at[2], self.optimum.n, method="Fieller")


def fieller(b: float, c: float, cov: np.ndarray, quantile: float) -> tuple[float, float] | None:
    """The set of x with (b + 2 c x)^2 <= quantile^2 var(b + 2 c x), where cov is that of (b, c); None where it is
    not a bounded interval (the curvature c is not clearly away from 0)."""
    v_bb, v_bc, v_cc = cov[0, 0], cov[0, 1], cov[1, 1]
    q2 = quantile**2
    lead = 4 * c * c - 4 * q2 * v_cc
    if lead <= 0:
        return None
    mid = 4 * b * c - 4 * q2 * v_bc
    const = b * b - q2 * v_bb
    disc = mid * mid - 4 * lead * const
    if disc < 0:
        return None
    root = math.sqrt(disc)
    return (-mid - root) / (2 * lead), (-mid + root) / (2 * lead)


def profile(budget: float, parameters, losses, confidence: float = 0.95) -> Profile:
    """The parabola through one budget's (N, loss) points and its vertex with a Fieller interval."""
    n = np.asarray(parameters, dtype=float)
    loss = np.asarray(losses, dtype=float)
    if len(n) < 4:
        raise ValueError(f"a profile needs at least 4 sizes (3 for the parabola, 1 for its error); got {len(n)}")
    x = np.log10(n)
    design = np.stack([np.ones_like(x), x, x * x], axis=1)  # (k, 3)
    coef, *_ = np.linalg.lstsq(design, loss, rcond=None)
    dof = len(x) - 3
    residual = float(((design @ coef - loss) ** 2).sum()) / dof
    cov = residual * np.linalg.inv(design.T @ design)  # (3, 3)
    a, b, c = (float(v) for v in coef)
    bounds = fieller(b, c, cov[1:, 1:], student_t.ppf(0.5 + confidence / 2, dof))
    if c <= 0:
        return Profile(budget, n, loss, (a, b, c), None, "the loss has no minimum over these sizes")
    vertex = -b / (2 * c)
    if bounds is None:
        return Profile(budget, n, loss, (a, b, c), None, "the curvature is too uncertain to place a minimum")
    return Profile(budget, n, loss, (a, b, c), Estimate(vertex, bounds[0], bounds[1], len(x), method="Fieller"))


def pooled_ratio(profiles: list[Profile], confidence: float = 0.95) -> tuple[Estimate, float] | None:
    """Tokens per parameter pooled over the budgets with an optimum (inverse-variance weighted mean of log10 of
    each ratio, its standard error read off the interval), and Cochran's Q p-value for a ratio that changes with
    the budget; None where fewer than 2 budgets have one."""
    ratios = [p.ratio for p in profiles if p.ratio is not None]
    if len(ratios) < 2:
        return None
    z = student_t.ppf(0.5 + confidence / 2, 10**9)  # normal quantile
    logs = np.array([math.log10(r.effect) for r in ratios])
    se = np.array([(math.log10(r.high) - math.log10(r.low)) / (2 * z) for r in ratios])
    weights = 1 / se**2
    mean = float((weights * logs).sum() / weights.sum())
    half = z / math.sqrt(weights.sum())
    q = float((weights * (logs - mean) ** 2).sum())
    estimate = Estimate(10**mean, 10 ** (mean - half), 10 ** (mean + half), len(ratios), method="inverse variance")
    return estimate, float(chi2.sf(q, len(ratios) - 1))


def compared(ratio: Estimate) -> str:
    """Where Chinchilla's 20 and the notes' 15 fall against the measured interval."""
    parts = []
    for name, value in (("Chinchilla's ~20", CHINCHILLA), ("the notes' 15", NOTES_RATIO)):
        inside = ratio.low <= value <= ratio.high
        parts.append(f"{name} is {'inside' if inside else 'outside'} it")
    return "; ".join(parts)
