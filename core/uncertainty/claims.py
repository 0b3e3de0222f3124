"""The page's claims, each measured with a 95% interval and a verdict (core.stats):

- far from the data (inverted digits), density scores beat confidence; near it (novel digits 8 and 9), it
  depends on the density model and the space it lives in;
- how much of confidence's failure on inverted digits comes from the StandardScaler in front of the
  classifier: the same models with a floored scaler or no scaler.

`python -m core.uncertainty.claims` prints the README's tables (digits, seed 0).

AUROC intervals are stratified bootstrap percentile intervals; "density beats confidence" is a paired
bootstrap of the AUROC difference on the same points.
"""

from dataclasses import dataclass

import numpy as np

from core.stats import Difference, Estimate, auroc_with_interval, format_estimate, paired_auroc_difference
from core.uncertainty.classifiers import CLASSIFIERS, SCALINGS, standard_deviations_out
from core.uncertainty.data import OOD_SETS, ood_set
from core.uncertainty.density import DENSITIES, fit_density
from core.uncertainty.experiment import SPACES, FittedSetup, OodReport, Setup, evaluate_ood, features, fit

N_BOOT = 1000


def labels_for(report: OodReport, fitted: FittedSetup) -> np.ndarray:
    """(n_held_out + n_ood,) 0 for held-out in-distribution points, then 1 for the out-of-distribution set."""
    return np.r_[np.zeros(len(fitted.data.x_test), int), np.ones(len(report.x), int)]


def auroc_estimates(fitted: FittedSetup, report: OodReport, n_boot: int = N_BOOT) -> dict[str, Estimate]:
    """score name ("msp", "entropy", "energy", "density") -> its AUROC (held-out vs out-of-distribution) with
    an interval; the claim: above chance."""
    labels = labels_for(report, fitted)
    held_out, out = fitted.held_out.ood_scores(), report.scores.ood_scores()
    return {
        key: auroc_with_interval(labels, np.r_[held_out[key], out[key]], n_boot=n_boot, seed=fitted.setup.seed)
        for key in held_out
    }


@dataclass(frozen=True, eq=False)
class ScalingRow:
    """One input scaling of the same classifier, measured on one out-of-distribution set."""

    scaling: str
    accuracy: float  # on the held-out in-distribution points
    deviations_out: float  # median over the OOD points of their most extreme feature, in training stds
    auroc: dict[str, Estimate]  # "msp", "entropy", "energy", "density" -> AUROC with interval
    inverted: np.ndarray  # (INVERTED_SHOWN, d) the first held-out digits, inverted
    captions: list[str]  # per inverted digit: the class predicted and its max probability


INVERTED_SHOWN = 6  # inverted digits a page shows for each scaling


def scaling_row(fitted: FittedSetup, report: OodReport, n_boot: int = N_BOOT) -> ScalingRow:
    data = fitted.data
    inverted = 1.0 - data.x_test[:INVERTED_SHOWN]  # (6, d)
    s = fitted.score(inverted)
    return ScalingRow(
        fitted.setup.scaling,
        accuracy=float(np.mean(fitted.held_out.predicted == data.y_test)),
        deviations_out=float(np.median(standard_deviations_out(fitted.classifier, report.x))),
        auroc=auroc_estimates(fitted, report, n_boot),
        inverted=inverted,
        captions=[f"{c} · p {p:.2f}" for c, p in zip(s.predicted, s.max_probability, strict=True)],
    )


@dataclass(frozen=True, eq=False)
class DensityRow:
    density: str
    space: str
    auroc: Estimate  # the density score's AUROC
    versus_confidence: Difference  # AUROC(density) - AUROC(max probability), paired over the same points


def density_vs_confidence(
    fitted: FittedSetup, ood_name: str, n_boot: int = N_BOOT
) -> tuple[Estimate, list[DensityRow]]:
    """Confidence's AUROC on `ood_name`, and every density model, in every space the classifier offers, against
    it. The classifier is the fitted one; each density model is fitted here with the default k."""
    data, setup = fitted.data, fitted.setup
    x_out = ood_set(data, ood_name, setup.seed)
    labels = np.r_[np.zeros(len(data.x_test), int), np.ones(len(x_out), int)]
    out_scores = fitted.score(x_out)
    msp = np.r_[-fitted.held_out.max_probability, -out_scores.max_probability]  # (n,) higher = more OOD
    spaces = [s for s in SPACES if s == "input" or setup.classifier == "mlp"]
    rows = []
    for space in spaces:
        train, held_out, out = (features(fitted.classifier, space, x) for x in (data.x_train, data.x_test, x_out))
        for density in DENSITIES:
            model = fit_density(density, train, data.y_train, Setup.k, setup.seed)
            score = np.r_[model.score(held_out), model.score(out)]
            rows.append(
                DensityRow(
                    density,
                    space,
                    auroc_with_interval(labels, score, n_boot=n_boot, seed=setup.seed),
                    paired_auroc_difference(labels, msp, score, n_boot=n_boot, seed=setup.seed),
                )
            )
    return auroc_with_interval(labels, msp, n_boot=n_boot, seed=setup.seed), rows


def readme_tables(seed: int = 0) -> str:
    """The README's two tables: inverted digits under each input scaling, and density vs confidence far from
    and near the data (MLP, standard scaler, class-conditional Gaussian for the first table's density)."""

    def cell(est: Estimate) -> str:
        return format_estimate(est, "{:.2f}")

    lines = [
        "| classifier | input scaling | inverted digit's most extreme pixel (median) | max probability | energy "
        "| class-conditional Gaussian |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for classifier in CLASSIFIERS:
        for scaling in SCALINGS:
            fitted = fit(Setup("digits", classifier, "gaussian", seed=seed, scaling=scaling))
            row = scaling_row(fitted, evaluate_ood(fitted, "inverted"))
            unit = "raw" if scaling == "none" else "stds"
            lines.append(
                f"| {CLASSIFIERS[classifier]} | {SCALINGS[scaling]} | {row.deviations_out:.0f} {unit} | "
                + " | ".join(cell(row.auroc[key]) for key in ("msp", "energy", "density"))
                + " |"
            )
    fitted = fit(Setup("digits", "mlp", "gaussian", seed=seed))
    lines += [
        "",
        "| out-of-distribution set | max probability | density model, space | density | density - confidence "
        "| density beats confidence |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("inverted", "novel"):
        msp, rows = density_vs_confidence(fitted, name)
        for row in rows:
            gap = row.versus_confidence
            lines.append(
                f"| {OOD_SETS[name]} | {cell(msp)} | {DENSITIES[row.density]}, {row.space} | {cell(row.auroc)} | "
                f"{format_estimate(gap, '{:+.3f}')} | {gap.verdict} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(readme_tables())
