"""The claim check: the lecture's claims about in-context learning, tested on the bundled model.

Reads the right/wrong of every item that `python -m core.prompting.evaluate --write` stored next to
the model. Each accuracy gets a 95% Wilson interval; each claim is a paired difference on the same
questions (Newcombe's interval, McNemar's exact test) or an accuracy against chance, with the verdict
`core.stats` gives: "holds" only when the interval excludes no effect.
"""

import json
from dataclasses import dataclass

import numpy as np

from core.prompting.choices import MODEL_DIR
from core.prompting.in_context import LABEL_KS, MAPPING_KS
from core.prompting.prompts import STRATEGIES
from core.prompting.tasks.families import FAMILIES
from core.stats import Estimate, format_claim, paired_accuracy_difference, proportion

EVALUATION_FILE = MODEL_DIR / "evaluation.json"
LENGTH_SET_TITLES = {"multi-step": "multi-step, trained", "longer": "longer than trained"}
LABEL_ROW = "coin flip, unrelated answer words"  # the title of the unrelated-label probe
MAPPING_ROWS = {  # title: results key
    "word mapping, fresh pairs (roster layout)": "word_mapping",
    "word mapping, a layout never seen (`Ann = fox.`)": "word_mapping_new_layout",
}
LABEL_TARGET = 0.85  # the accuracy with 4 or more examples that shows the mapping was read


@dataclass(frozen=True)
class Claim:
    statement: str
    estimate: Estimate
    scale: str  # "pp" for a difference in points, "%" for an accuracy

    @property
    def verdict(self) -> str:
        return self.estimate.verdict

    def line(self) -> str:
        if self.scale == "pp":
            numbers = format_claim(self.estimate, "{:+.1f}", 100, " points", "questions")
        else:
            numbers = format_claim(self.estimate, "{:.1f}", 100, "%", "questions")
        return f"{self.statement}: {numbers}"


def load() -> dict | None:
    return json.loads(EVALUATION_FILE.read_text()) if EVALUATION_FILE.exists() else None


def as_array(bits: str) -> np.ndarray:
    return np.array([c == "1" for c in bits])


def accuracy(bits: str, null: float = 0.0) -> Estimate:
    return proportion(bits.count("1"), len(bits), null=null)


def cell_text(bits: str) -> str:
    est = accuracy(bits)
    return f"{est.effect:.0%} [{est.low:.0%}, {est.high:.0%}]"


def length_span(task: str, length_set: str, cell: dict) -> str:
    lengths = sorted(set(cell["lengths"]))
    return f"{LENGTH_SET_TITLES[length_set]} ({lengths[0]}-{lengths[-1]} {FAMILIES[task].length_unit})"


def claims_table(results: dict) -> str:
    """A markdown table: accuracy [95% Wilson interval] per task, length set and strategy, and chance."""
    lines = [
        "| task | lengths | chance | " + " | ".join(STRATEGIES.values()) + " |",
        "|" + " --- |" * (3 + len(STRATEGIES)),
    ]
    for task, by_set in results["families"].items():
        for length_set, cell in by_set.items():
            cells = " | ".join(cell_text(cell[s]) for s in STRATEGIES)
            span = length_span(task, length_set, cell)
            lines.append(f"| {FAMILIES[task].title} | {span} | {cell['chance']:.0%} | {cells} |")
    return "\n".join(lines)


def k_curves(results: dict) -> dict[str, dict[int, str]]:
    """probe title -> {k: right/wrong bits} for every probe measured against k: the rows of `curve_table`
    and the lines of the chart beside it."""
    rows = {LABEL_ROW: results["unrelated_labels"], **{t: results.get(key, {}) for t, key in MAPPING_ROWS.items()}}
    return {title: {int(k): bits for k, bits in row.items()} for title, row in rows.items()}


def curve_table(results: dict) -> str:
    """A markdown table of accuracy against the number of examples k, one row per in-context probe."""
    lines = ["| probe | chance | " + " | ".join(f"k = {k}" for k in LABEL_KS) + " |", "|" + " --- |" * 7]
    for title, curve in k_curves(results).items():
        row = [cell_text(curve[k]) if k in curve else "" for k in LABEL_KS]
        lines.append(f"| {title} | {'50%' if title == LABEL_ROW else '1/k'} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def paired(a: str, b: str) -> Estimate:
    return paired_accuracy_difference(as_array(a), as_array(b))


def claims(results: dict) -> list[Claim]:
    """The lecture's claims, each with its effect, interval, n and verdict."""
    out = []
    labels = results["unrelated_labels"]
    for k in (4, 8):
        out.append(
            Claim(
                f"Few-shot: {k} examples teach answer words unrelated to the task (accuracy with {k} "
                "examples minus zero-shot, same questions)",
                paired(labels["0"], labels[str(k)]),
                "pp",
            )
        )
    out.append(
        Claim(
            f"Few-shot: with 8 examples the unrelated-label accuracy reaches {LABEL_TARGET:.0%}",
            accuracy(labels["8"], null=LABEL_TARGET),
            "%",
        )
    )
    for k in MAPPING_KS:
        out.append(
            Claim(
                f"A word mapping defined only by its {k} pairs, in the roster layout of pre-training, beats "
                f"guessing among them ({1 / k:.0%})",
                accuracy(results["word_mapping"][str(k)], null=1 / k),
                "%",
            )
        )
    if "word_mapping_new_layout" in results:
        out.append(
            Claim(
                "The same word mapping in a layout never seen in pre-training (`Ann = fox.`, 4 pairs) beats "
                f"guessing ({1 / 4:.0%})",
                accuracy(results["word_mapping_new_layout"]["4"], null=1 / 4),
                "%",
            )
        )
    for task, by_set in results["families"].items():
        title = FAMILIES[task].title
        for length_set, cell in by_set.items():
            span = length_span(task, length_set, cell)
            out.append(
                Claim(
                    f"{title}, {span}: chain-of-thought examples beat answer-only examples",
                    paired(cell["few-shot"], cell["few-shot-cot"]),
                    "pp",
                )
            )
        cell = by_set["multi-step"]
        out.append(
            Claim(
                f'{title}, {length_span(task, "multi-step", cell)}: zero-shot "Let\'s think step by step" '
                "beats plain zero-shot",
                paired(cell["zero-shot"], cell["zero-shot-cot"]),
                "pp",
            )
        )
    return out


def by_length(results: dict, task: str, strategies=("few-shot", "few-shot-cot")) -> dict[str, dict[int, Estimate]]:
    """Accuracy with its Wilson interval per problem length, over both length sets, for each strategy."""
    curves: dict[str, dict[int, Estimate]] = {}
    for strategy in strategies:
        right: dict[int, list[bool]] = {}
        for cell in results["families"][task].values():
            for length, bit in zip(cell["lengths"], cell[strategy], strict=True):
                right.setdefault(length, []).append(bit == "1")
        curves[strategy] = {length: proportion(sum(r), len(r)) for length, r in sorted(right.items())}
    return curves
