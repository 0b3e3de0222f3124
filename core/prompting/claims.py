"""The honest claim check: what the bundled model's measured accuracies show, whatever they show.

Reads the numbers `python -m core.prompting.evaluate --write` stored next to the model, and states,
per task, whether chain-of-thought beat answer-only prompting and whether the model beat chance,
counting a gap only when it exceeds two standard errors.
"""

import json
import math

from core.prompting.prompts import STRATEGIES
from core.prompting.sources import MODEL_DIR
from core.prompting.tasks.families import FAMILIES

EVALUATION_FILE = MODEL_DIR / "evaluation.json"
ANSWER_ONLY = ("few-shot",)  # a zero-shot prompt does not fix the format: the model may reason anyway
CHAIN = ("zero-shot-cot", "few-shot-cot")
LENGTH_SET_TITLES = {"trained": "trained lengths", "longer": "longer than trained"}


def load() -> dict | None:
    return json.loads(EVALUATION_FILE.read_text()) if EVALUATION_FILE.exists() else None


def claims_table(results: dict) -> str:
    """A markdown table: accuracy per task, strategy and length set, with the chance baseline."""
    lines = [
        "| Task | Lengths | Chance | " + " | ".join(STRATEGIES.values()) + " |",
        "|" + "---|" * (3 + len(STRATEGIES)),
    ]
    for task, by_set in results["accuracy"].items():
        family = FAMILIES[task]
        for length_set, row in by_set.items():
            lengths = family.train_lengths if length_set == "trained" else family.longer_lengths
            span = f"{LENGTH_SET_TITLES[length_set]} ({', '.join(map(str, lengths))} {family.length_unit})"
            cells = " | ".join(f"{row[s]:.0%}" for s in STRATEGIES)
            lines.append(f"| {family.title} | {span} | {row['chance']:.0%} | {cells} |")
    return "\n".join(lines)


def clear_gap(a: float, b: float, n: int) -> bool:
    """True when accuracies a and b on n questions each differ by more than two standard errors."""
    variance = (a * (1 - a) + b * (1 - b)) / n
    return abs(a - b) > 2 * math.sqrt(max(variance, 1 / n**2))


def statements(results: dict) -> list[str]:
    """One sentence per task and length set, read off the numbers; gaps within noise are called so."""
    n, out = results["n"], []
    for task, by_set in results["accuracy"].items():
        for length_set, row in by_set.items():
            plain = max(row[s] for s in ANSWER_ONLY)
            chain = max(row[s] for s in CHAIN)
            best = max(row[s] for s in STRATEGIES)
            pair = f"{chain:.0%} vs {plain:.0%} with answer-only examples"
            if not clear_gap(chain, plain, n):
                verdict = f"no clear difference between chain-of-thought and answer-only prompts ({pair})"
            elif chain > plain:
                verdict = f"chain-of-thought helps ({pair})"
            else:
                verdict = f"chain-of-thought hurts ({pair})"
            if not clear_gap(best, row["chance"], n):
                versus = "is within noise of"
            else:
                versus = "beats" if best > row["chance"] else "falls below"
            out.append(
                f"{FAMILIES[task].title}, {LENGTH_SET_TITLES[length_set]}: {verdict}; "
                f"the best strategy ({best:.0%}) {versus} chance ({row['chance']:.0%})."
            )
    return out
