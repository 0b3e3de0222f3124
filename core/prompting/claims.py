"""The claim check: the lecture's claims about in-context learning, tested on the bundled model.

Reads the right/wrong of every item that `python -m core.prompting.evaluate --write` stored next to
the model. Each accuracy gets a 95% Wilson interval; each claim is a paired difference on the same
questions (Newcombe's interval, McNemar's exact test) or an accuracy against chance, with the verdict
`core.stats` gives: "holds" only when the interval excludes no effect.
"""

import json
from dataclasses import dataclass, replace

import numpy as np

from core.prompting.choices import MODEL_DIR
from core.prompting.in_context import FOLLOWS, LABEL_KS, LAYOUT_K, OTHER, PRIOR, outcome_bits
from core.prompting.layouts import HELD_OUT as HELD_OUT_LAYOUTS
from core.prompting.layouts import TRAINED as TRAINED_LAYOUTS
from core.prompting.prompts import STRATEGIES
from core.prompting.tasks.families import FAMILIES
from core.stats import Estimate, format_claim, paired_accuracy_difference, proportion

EVALUATION_FILE = MODEL_DIR / "evaluation.json"
LENGTH_SET_TITLES = {"multi-step": "multi-step, trained", "longer": "longer than trained"}
LABEL_ROW = "coin flip, held-out answer words (Q:/A:)"  # the title of the held-out label probe
CURVE_ROWS = {  # title: results key, one row of accuracy against k each
    LABEL_ROW: "unrelated_labels",
    "coin flip, fresh answer words from the corpus's own pools": "trained_labels",
    "coin flip, held-out answer words, held-out layouts": "unrelated_labels_new_layout",
    "word mapping, held-out words, trained layouts": "word_mapping",
    "word mapping, held-out words, held-out layouts": "word_mapping_new_layout",
    "flipped labels: follows the examples, not its prior": "flipped_labels",
}
MAPPING_ROWS = {t: key for t, key in CURVE_ROWS.items() if key.startswith("word_mapping")}
LABEL_TARGET = 0.85  # held-out answer words at k = 4: the mapping was read from the prompt
LABEL_TARGET_8 = 0.90  # and at k = 8
MAPPING_TARGET = 0.85  # held-out words in held-out layouts at k = 4
MODE_TARGET = 0.90  # share of replies in the mode the examples show
CHAIN_GAIN = 0.40  # chain-of-thought over answer-only examples on multi-step problems
INVENTED = "invented"  # the wording cell of new draws of the corpus's own invented wordings (not held out)
NEAR = 0.10  # "within 10 points": a held-out layout or wording against the trained one
REFERENCE_LAYOUT = "Q:/A:"


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
    rows = {title: results.get(key, {}) for title, key in CURVE_ROWS.items()}
    return {title: {int(k): bits for k, bits in row.items()} for title, row in rows.items() if row}


def curve_table(results: dict) -> str:
    """A markdown table of accuracy against the number of examples k, one row per in-context probe."""
    lines = ["| probe | chance | " + " | ".join(f"k = {k}" for k in LABEL_KS) + " |", "|" + " --- |" * 7]
    for title, curve in k_curves(results).items():
        row = [cell_text(curve[k]) if k in curve else "" for k in LABEL_KS]
        lines.append(f"| {title} | {'1/k' if title in MAPPING_ROWS else '50%'} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def paired(a: str, b: str) -> Estimate:
    return paired_accuracy_difference(as_array(a), as_array(b))


def at_least(bits: str, target: float) -> Estimate:
    """An accuracy against a target: "holds" when its whole interval lies above it."""
    return accuracy(bits, null=target)


def within(reference: str, other: str, margin: float = NEAR) -> Estimate:
    """other - reference on the same items, claimed to lose at most `margin`: "holds" when the interval's
    low end is above -margin, "does not hold" when its high end is below."""
    return replace(paired(reference, other), null=-margin, p_value=None)


def share(modes: str, mode: str, target: float) -> Estimate:
    return proportion(modes.count(mode[0]), len(modes), null=target)


def label_claims(results: dict) -> list[Claim]:
    labels = results["unrelated_labels"]
    out = [
        Claim(
            f"Few-shot: {k} examples teach answer words the corpus never uses (accuracy with {k} examples minus "
            "zero-shot, same questions)",
            paired(labels["0"], labels[str(k)]),
            "pp",
        )
        for k in (4, 8)
    ]
    out.append(
        Claim(
            f"Held-out answer words, 4 examples: at least {LABEL_TARGET:.0%}", at_least(labels["4"], LABEL_TARGET), "%"
        )
    )
    out.append(
        Claim(
            f"Held-out answer words, 8 examples: at least {LABEL_TARGET_8:.0%}",
            at_least(labels["8"], LABEL_TARGET_8),
            "%",
        )
    )
    layouts = results.get("layouts", {})
    for name in HELD_OUT_LAYOUTS:
        if name in layouts:
            out.append(
                Claim(
                    f"A held-out layout (`{name}`), {LAYOUT_K} examples, held-out words: within {NEAR * 100:.0f} points of the "
                    f"trained `{REFERENCE_LAYOUT}`",
                    within(layouts[REFERENCE_LAYOUT], layouts[name]),
                    "pp",
                )
            )
    mapping = results.get("word_mapping_new_layout", {})
    if "4" in mapping:
        out.append(
            Claim(
                f"Word mapping, held-out words in held-out layouts, 4 pairs: at least {MAPPING_TARGET:.0%}",
                at_least(mapping["4"], MAPPING_TARGET),
                "%",
            )
        )
    return out


def family_claims(results: dict) -> list[Claim]:
    out = []
    for task, by_set in results["families"].items():
        title = FAMILIES[task].title
        cell = by_set["multi-step"]
        span = length_span(task, "multi-step", cell)
        modes = cell.get("modes", {})
        if modes:
            out.append(
                Claim(
                    f"{title}, {span}: after answer-only examples, at least {MODE_TARGET:.0%} of replies answer at once",
                    share(modes["few-shot"], "direct", MODE_TARGET),
                    "%",
                )
            )
            out.append(
                Claim(
                    f"{title}, {span}: after worked examples, at least {MODE_TARGET:.0%} of replies reason first",
                    share(modes["few-shot-cot"], "chain", MODE_TARGET),
                    "%",
                )
            )
        out.append(
            Claim(
                f"{title}, {span}: chain-of-thought examples beat answer-only examples by at least "
                f"{CHAIN_GAIN * 100:.0f} points (nothing forced)",
                replace(paired(cell["few-shot"], cell["few-shot-cot"]), null=CHAIN_GAIN),
                "pp",
            )
        )
        out.append(
            Claim(
                f'{title}, {span}: zero-shot "Let\'s think step by step" beats plain zero-shot',
                paired(cell["zero-shot"], cell["zero-shot-cot"]),
                "pp",
            )
        )
        longer = by_set.get("longer")
        if longer:
            out.append(
                Claim(
                    f"{title}, {length_span(task, 'longer', longer)}: chain-of-thought examples beat answer-only",
                    paired(longer["few-shot"], longer["few-shot-cot"]),
                    "pp",
                )
            )
        for wording, bits in results.get("wordings", {}).get(task, {}).items():
            if wording not in ("corpus", INVENTED):
                out.append(
                    Claim(
                        f'{title}, {span}, few-shot chain-of-thought in the held-out wording "{wording}": within '
                        f"{NEAR * 100:.0f} points of the corpus wording",
                        within(results["wordings"][task]["corpus"], bits),
                        "pp",
                    )
                )
    return out


def claims(results: dict) -> list[Claim]:
    """The lecture's claims, each with its effect, interval, n and verdict."""
    return label_claims(results) + family_claims(results)


def layout_table(results: dict) -> str:
    """A markdown table: accuracy at k = 4 with held-out words in every trained and held-out layout."""
    rows = ["| layout | trained? | accuracy, k = 4 |", "| --- | --- | --- |"]
    for name, bits in results.get("layouts", {}).items():
        shown = name.replace("|", "\\|")  # a pipe would end the table cell
        rows.append(f"| `{shown}` | {'yes' if name in TRAINED_LAYOUTS else 'held out'} | {cell_text(bits)} |")
    return "\n".join(rows)


def wording_table(results: dict) -> str:
    """A markdown table: few-shot chain-of-thought accuracy per family in its corpus and held-out wordings, and in
    new draws of the corpus's invented wordings where measured."""
    rows = ["| task | wording | accuracy |", "| --- | --- | --- |"]
    for task, by_wording in results.get("wordings", {}).items():
        for wording, bits in by_wording.items():
            name = "invented (new draws of the corpus's own kind)" if wording == INVENTED else wording
            rows.append(f"| {FAMILIES[task].title} | {name} | {cell_text(bits)} |")
    return "\n".join(rows)


def flipped_table(results: dict) -> str:
    """A markdown table of what the replies to flipped labels do at each k: follow the examples on the questions
    whose flipped answer is "yes" and on those whose is "no" (the probes take turns), keep the prior (the coin's
    true side), or neither. Empty when the evaluation did not keep the outcomes."""
    rows = [
        '| k | follows, flipped answer "yes" | follows, flipped answer "no" | keeps its prior | neither |',
        "| --- | --- | --- | --- | --- |",
    ]
    for k, did in results.get("flipped_outcomes", {}).items():
        shares = [outcome_bits(did[0::2], FOLLOWS), outcome_bits(did[1::2], FOLLOWS)]
        shares += [outcome_bits(did, PRIOR), outcome_bits(did, OTHER)]
        rows.append(f"| {k} | " + " | ".join(cell_text(bits) for bits in shares) + " |")
    return "\n".join(rows) if len(rows) > 2 else ""


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
