"""The page's tables of out-of-distribution detection: each score's AUROC with its interval and FPR@95TPR, and
each density model's AUROC against the classifier's confidence on the same points (`claims`)."""

import pandas as pd

from core.stats import Estimate, format_estimate
from core.uncertainty.charts import score_label
from core.uncertainty.claims import DensityRow
from core.uncertainty.density import DENSITIES
from core.uncertainty.experiment import SPACES, FittedSetup, OodReport


def ood_table(fitted: FittedSetup, report: OodReport, intervals: dict[str, Estimate]) -> pd.DataFrame:
    """One row per score: its AUROC, the AUROC's 95% bootstrap interval and its FPR at 95% TPR."""
    return pd.DataFrame(
        {
            "score": [score_label(key, fitted) for key in report.auroc],
            "AUROC": list(report.auroc.values()),
            "95% interval": [f"[{intervals[key].low:.3f}, {intervals[key].high:.3f}]" for key in report.auroc],
            "FPR@95TPR": list(report.fpr_at_95_tpr.values()),
        }
    )


def near_far_table(rows: list[DensityRow]) -> pd.DataFrame:
    """One row per density model and space: its AUROC, its gap to the max-probability AUROC and the verdict."""
    return pd.DataFrame(
        {
            "density model": [DENSITIES[r.density] for r in rows],
            "space": [SPACES[r.space] for r in rows],
            "AUROC [95%]": [format_estimate(r.auroc, "{:.3f}") for r in rows],
            "vs confidence [95%]": [format_estimate(r.versus_confidence, "{:+.3f}") for r in rows],
            "density beats confidence": [r.versus_confidence.verdict for r in rows],
        }
    )
