"""The transfer lab's results as tables, beside its charts: a learning curve per epoch, each mode's summary over
seeds, the claims against from-scratch, and the text comparison per run. Each takes measured results; none
measures, and none needs torch."""

from typing import TYPE_CHECKING

import pandas as pd

from core.transfer.modes import ADAPTATIONS

if TYPE_CHECKING:
    from core.transfer.claims import Verdict
    from core.transfer.runs import ModeSummary, Run
    from core.transfer.text_transfer import TextScore

CURVE_COLUMNS = ["epoch", "test accuracy", "seconds"]
SUMMARY_COLUMNS = [
    "mode",
    "trainable parameters",
    "final accuracy (mean)",
    "± sd over seeds",
    "seeds",
    "epochs to target (mean curve)",
    "seconds to target",
]
CLAIM_COLUMNS = ["claim", "measured as", *(mode.label for mode in ADAPTATIONS.values())]
TEXT_COLUMNS = ["labelled sentences per class", "seed", "TF-IDF from scratch", "frozen encoder + classifier"]


def curve_table(run: "Run") -> pd.DataFrame:
    """One row per epoch: test accuracy and training seconds so far."""
    return pd.DataFrame(
        [(p.epoch, round(p.accuracy, 4), round(p.seconds, 3)) for p in run.curve], columns=CURVE_COLUMNS
    )


def summary_table(summaries: list["ModeSummary"]) -> pd.DataFrame:
    """One row per mode: its trainable parameters, final accuracy over seeds and time to the target."""
    rows = [
        (
            ADAPTATIONS[s.mode].label,
            s.trainable,
            f"{s.accuracy:.1%}",
            f"{s.spread:.1%}",
            s.runs,
            "never" if s.epochs_to_target is None else s.epochs_to_target,
            "never" if s.seconds_to_target is None else f"{s.seconds_to_target:.2f}",
        )
        for s in summaries
    ]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def claims_table(verdicts: list["Verdict"]) -> pd.DataFrame:
    """One row per claim: from-scratch's value, then each transfer mode's value, gap and verdict."""
    rows = []
    for v in verdicts:
        row = {"claim": v.claim, "measured as": v.measure, ADAPTATIONS["scratch"].label: v.scratch}
        row.update({ADAPTATIONS[m].label: text for m, text in v.transfer.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def text_table(scores: list["TextScore"]) -> pd.DataFrame:
    """One row per labelled amount and seed: the accuracy of each classifier (None where the encoder is missing)."""
    rows = [(s.shots, s.seed, round(s.tfidf, 3), None if s.encoder is None else round(s.encoder, 3)) for s in scores]
    return pd.DataFrame(rows, columns=TEXT_COLUMNS)
