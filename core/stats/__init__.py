"""Uncertainty for every claim a demo makes: an effect, its 95% interval, n, and a verdict."""

from core.stats.intervals import (
    auroc_with_interval,
    paired_auroc_difference,
    proportion,
    proportion_difference,
    wilson,
)
from core.stats.paired import paired_accuracy_difference, paired_seed_difference
from core.stats.verdict import (
    FAILS,
    HOLDS,
    UNCLEAR,
    Difference,
    Estimate,
    format_claim,
    format_estimate,
    format_p,
    verdict,
)

__all__ = [
    "FAILS",
    "HOLDS",
    "UNCLEAR",
    "Difference",
    "Estimate",
    "auroc_with_interval",
    "format_claim",
    "format_estimate",
    "format_p",
    "paired_accuracy_difference",
    "paired_auroc_difference",
    "paired_seed_difference",
    "proportion",
    "proportion_difference",
    "verdict",
    "wilson",
]
