"""Sharp or smooth? Does an ability appear as a step between two adjacent sizes, or rise smoothly with log(size)?

Wei et al. (2022) call an ability emergent when it is near chance up to some size and well above it after;
Schaeffer et al. (2023) answer that a smooth underlying improvement looks like a step under an all-or-nothing
metric. Here the question is put to the data as a choice between three models of a score against x = log(N),
each fitted by maximum likelihood:

- flat: one level for every size (no change with size);
- smooth: exact match p(x) = sigmoid(a + b x) on binomial counts; a continuous score's mean a + b x + c x^2
  (Gaussian), a curve that may bend, so that a gain that slows with size (most of it among the small members)
  counts as smooth, not as a step;
- step: one level up to a threshold between two adjacent members, another level after (the threshold is chosen
  too, so it counts as a parameter).

A change with size is seen when the better of smooth and step beats flat in a likelihood-ratio test at the 5%
level. Step and smooth are not nested, so they are compared with Vuong's (1989) test on the per-item
log-likelihoods, corrected for the number of parameters as AIC is (Akaike 1974): a two-sided p < 0.05 prefers one,
else the data cannot tell them apart. For exact match an ability must first be there at all: some member above
the rate of guessing in a one-sided binomial test at 5%, Holm-corrected over the members; where none is, the
verdict is "at chance" whatever the fits say (a rise from 0% to 4% where guessing scores 4% is no ability).
No threshold on the size of a jump is tuned: the verdict is the tests'.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import binomtest, chi2, norm
from statsmodels.stats.multitest import multipletests

from core.stats import format_p

SHARP, SMOOTH, UNDECIDED, FLAT, CHANCE = "sharp", "smooth", "undecided", "flat", "at chance"
LEVEL = 0.05  # the tests' significance level, the one every claim of the demos uses
SAME_FIT = 1e-6  # nats per item: the optimiser's precision, under which two fits are one and Vuong's test is void


@dataclass(frozen=True)
class Fit:
    """One model's fit: its per-item log-likelihoods, its parameter count, and its fitted level at each member."""

    name: str
    item_loglik: np.ndarray  # (items,): log-likelihood of each item under the fitted model
    k: int  # parameters (a continuous score's variance included)
    levels: np.ndarray  # (members,): fitted rate or mean at each member
    threshold: int = -1  # step only: the step comes after member `threshold` (0-based)

    @property
    def loglik(self) -> float:
        return float(self.item_loglik.sum())

    @property
    def aic(self) -> float:
        return 2 * self.k - 2 * self.loglik


@dataclass(frozen=True)
class Verdict:
    shape: str  # SHARP, SMOOTH, UNDECIDED (changes, shape not told), FLAT (no change seen) or CHANCE (no member
    # above guessing)
    flat: Fit
    smooth: Fit
    step: Fit
    change_p: float  # likelihood-ratio p-value of the better changing model against flat
    vuong_z: float  # > 0 favours the step
    vuong_p: float
    best_above_chance_p: float = float("nan")  # exact match: the smallest Holm-corrected p of a member above chance

    @property
    def delta_aic(self) -> float:
        """AIC(smooth) - AIC(step): positive when the step fits better after its extra parameter."""
        return self.smooth.aic - self.step.aic


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def _bernoulli_items(successes: np.ndarray, n: np.ndarray, p_log: np.ndarray, q_log: np.ndarray) -> np.ndarray:
    """Per-item log-likelihoods: member i's successes each log p_i, its failures each log(1 - p_i)."""
    parts = [np.r_[np.full(s, lp), np.full(m - s, lq)] for s, m, lp, lq in zip(successes, n, p_log, q_log, strict=True)]
    return np.concatenate(parts)


def _rate_logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore"):
        return np.log(p), np.log1p(-p)  # 0 * log 0 never occurs: a rate of 0 or 1 has no item of the other kind


def binomial_fits(log_n: np.ndarray, successes: np.ndarray, n: np.ndarray) -> tuple[Fit, Fit, Fit]:
    """Flat, smooth (logistic in log N) and step fits to exact-match counts, one count per member."""
    rate = successes.sum() / n.sum()
    flat = Fit("flat", _bernoulli_items(successes, n, *_rate_logs(np.full(len(n), rate))), 1, np.full(len(n), rate))
    x = (log_n - log_n.mean()) / (log_n.std() or 1.0)  # standardised: the optimiser sees a well-scaled problem

    def nll(theta: np.ndarray) -> float:
        z = theta[0] + theta[1] * x
        return -float(np.sum(successes * _log_sigmoid(z) + (n - successes) * _log_sigmoid(-z)))

    theta = minimize(nll, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10}).x
    z = theta[0] + theta[1] * x
    smooth = Fit("smooth", _bernoulli_items(successes, n, _log_sigmoid(z), _log_sigmoid(-z)), 2, expit(z))
    steps = []
    for j in range(len(n) - 1):  # the step between member j and member j + 1
        low, high = successes[: j + 1].sum() / n[: j + 1].sum(), successes[j + 1 :].sum() / n[j + 1 :].sum()
        levels = np.r_[np.full(j + 1, low), np.full(len(n) - j - 1, high)]
        steps.append(Fit("step", _bernoulli_items(successes, n, *_rate_logs(levels)), 3, levels, j))
    return flat, smooth, max(steps, key=lambda f: f.loglik)


def _gaussian_items(values: list[np.ndarray], means: np.ndarray) -> np.ndarray:
    """Per-item Gaussian log-likelihoods around each member's mean, with the variance's maximum-likelihood value."""
    residuals = np.concatenate([v - m for v, m in zip(values, means, strict=True)])
    variance = max(float(np.mean(residuals**2)), 1e-12)
    return -0.5 * np.log(2 * math.pi * variance) - residuals**2 / (2 * variance)


def gaussian_fits(log_n: np.ndarray, values: list[np.ndarray]) -> tuple[Fit, Fit, Fit]:
    """Flat, smooth (mean linear in log N) and step fits to a continuous score, one array of item scores per member."""
    sizes = np.array([len(v) for v in values])
    everything = np.concatenate(values)
    flat_levels = np.full(len(values), everything.mean())
    flat = Fit("flat", _gaussian_items(values, flat_levels), 2, flat_levels)
    degree = min(2, len(values) - 1)  # a bending curve where 3 or more members allow one
    coefficients = np.polyfit(np.repeat(log_n, sizes), everything, degree)  # least squares = maximum likelihood
    smooth_levels = np.polyval(coefficients, log_n)
    smooth = Fit("smooth", _gaussian_items(values, smooth_levels), degree + 2, smooth_levels)
    steps = []
    for j in range(len(values) - 1):
        low, high = np.concatenate(values[: j + 1]).mean(), np.concatenate(values[j + 1 :]).mean()
        levels = np.r_[np.full(j + 1, low), np.full(len(values) - j - 1, high)]
        steps.append(Fit("step", _gaussian_items(values, levels), 4, levels, j))
    return flat, smooth, max(steps, key=lambda f: f.loglik)


def judge(flat: Fit, smooth: Fit, step: Fit) -> Verdict:
    """The verdict of the tests: a change with size at all (likelihood ratio against flat), then its shape (Vuong)."""
    changing = min(smooth, step, key=lambda f: f.aic)
    ratio = max(0.0, 2 * (changing.loglik - flat.loglik))
    change_p = float(chi2.sf(ratio, changing.k - flat.k))
    d = step.item_loglik - smooth.item_loglik  # (items,)
    if np.allclose(d, 0.0, atol=SAME_FIT):  # both fit every item alike (two members: both are exact)
        z, vuong_p = 0.0, 1.0
    else:
        corrected = d.sum() - (step.k - smooth.k)  # the AIC correction of Vuong's statistic
        z = corrected / (math.sqrt(len(d)) * float(d.std(ddof=1)))
        vuong_p = float(2 * norm.sf(abs(z)))
    if change_p >= LEVEL:
        shape = FLAT
    elif vuong_p >= LEVEL:
        shape = UNDECIDED
    else:
        shape = SHARP if z > 0 else SMOOTH
    return Verdict(shape, flat, smooth, step, change_p, float(z), vuong_p)


def judge_counts(parameters, successes, n, chance: float | None = None) -> Verdict:
    """Sharp, smooth, flat or at chance for exact-match counts: `successes[i]` right of `n[i]` at member i of
    `parameters[i]`; `chance`, the rate of guessing, if known."""
    log_n, successes, n = _checked(parameters), np.asarray(successes, dtype=int), np.asarray(n, dtype=int)
    if successes.shape != log_n.shape or n.shape != log_n.shape or np.any(n < 1) or np.any(successes > n):
        raise ValueError("give one count of right answers (0 to n) and one n >= 1 per member, as many as parameters")
    verdict = judge(*binomial_fits(log_n, successes, n))
    if chance is None:
        return verdict
    if not 0 <= chance < 1:
        raise ValueError(f"chance must be a rate from 0 to below 1, e.g. 0.5; got {chance}")
    raw = [binomtest(int(k), int(m), chance, alternative="greater").pvalue for k, m in zip(successes, n, strict=True)]
    holm = multipletests(raw, method="holm")[1]
    best = float(min(holm))
    shape = verdict.shape if best < LEVEL else CHANCE
    return Verdict(shape, *(getattr(verdict, f) for f in ("flat", "smooth", "step", "change_p", "vuong_z", "vuong_p")),
                   best_above_chance_p=best)  # fmt: skip


def judge_scores(parameters, values) -> Verdict:
    """Sharp, smooth or flat for a continuous score: `values[i]`, the item scores of member i."""
    log_n = _checked(parameters)
    values = [np.asarray(v, dtype=float) for v in values]
    if len(values) != len(log_n) or any(len(v) < 2 or not np.all(np.isfinite(v)) for v in values):
        raise ValueError("give at least 2 finite item scores per member, one list per member, as many as parameters")
    return judge(*gaussian_fits(log_n, values))


def _checked(parameters) -> np.ndarray:
    sizes = np.asarray(parameters, dtype=float)
    if sizes.ndim != 1 or len(sizes) < 2 or np.any(sizes <= 0) or np.any(np.diff(sizes) <= 0):
        raise ValueError("give the members' parameter counts, at least 2, positive and smallest first")
    return np.log(sizes)


def millions(parameters: float) -> str:
    return f"{parameters / 1e6:.2f} M"


def describe(what: str, verdict: Verdict, parameters, observed, fmt: str = "{:.0%}") -> str:
    """The verdict in one sentence with its numbers, e.g. "exact match rises from 2% to 61% between 0.64 M and
    1.05 M parameters; a step fits better than a smooth rise (ΔAIC = 14, Vuong p < 0.001)". `observed[i]` is the
    measured rate or mean at member i, written with `fmt`."""
    p, seen, shown = list(parameters), list(observed), fmt.format
    tests = f"ΔAIC = {verdict.delta_aic:+.1f} for the step, Vuong {format_p(verdict.vuong_p)}"
    if verdict.shape == CHANCE:
        return (
            f"{what} is {shown(min(seen))} to {shown(max(seen))} from {millions(p[0])} to {millions(p[-1])} "
            f"parameters, no member above guessing (one-sided binomial test, Holm-corrected, best "
            f"{format_p(verdict.best_above_chance_p)}): no ability seen at these sizes."
        )
    if verdict.shape == FLAT:
        return (
            f"{what} stays between {shown(min(seen))} and {shown(max(seen))} from {millions(p[0])} to "
            f"{millions(p[-1])} parameters: no change with size seen (likelihood ratio against one level for all "
            f"sizes, {format_p(verdict.change_p)}), so not enough evidence of an ability appearing."
        )
    j = verdict.step.threshold
    way = "rises" if verdict.step.levels[-1] > verdict.step.levels[0] else "falls"
    jump = f"from {shown(seen[j])} to {shown(seen[j + 1])} between {millions(p[j])} and {millions(p[j + 1])} parameters"
    if verdict.shape == SHARP:
        return f"{what} {way} {jump}: sharp, a step fits better than a smooth rise ({tests})."
    whole = f"from {shown(seen[0])} at {millions(p[0])} to {shown(seen[-1])} at {millions(p[-1])} parameters"
    if verdict.shape == SMOOTH:
        return f"{what} {way} smoothly with log(parameters), {whole}: no threshold seen ({tests})."
    return (
        f"{what} {way} {whole}, most {jump}; a step and a smooth rise fit about equally well ({tests}): "
        "not enough evidence to call it sharp or smooth."
    )
