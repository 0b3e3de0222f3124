"""What the ladder's measurements say, in words and a table: one verdict line per ability and metric
(`core.scale.sharpness`), a row per member, and the comparison with the course notes' "Impact of Scale" slide
(Wei et al. 2022's chart of emergent abilities; Schaeffer et al. 2023's "mirage")."""

import pandas as pd

from core.scale.abilities import estimate
from core.scale.ladder_files import ABILITIES, METRICS, SHORT
from core.scale.sharpness import CHANCE, FLAT, SHARP, SMOOTH, UNDECIDED, describe, judge_counts, judge_scores
from core.stats import format_estimate

FORMATS = {"exact": "{:.0%}", "logprob": "{:.2f}", "edit": "{:.1f}"}


def judged(ladder: dict, results: dict, ability: str, metric: str):
    """The verdict of `ability` under `metric`, and each member's measured rate or mean."""
    names = [m for m in ladder if m in results["abilities"][ability]["members"]]
    cells = [results["abilities"][ability]["members"][m] for m in names]
    sizes = [ladder[m]["parameters"] for m in names]
    if metric == "exact":
        rights, n = [c["right"].count("1") for c in cells], [len(c["right"]) for c in cells]
        verdict = judge_counts(sizes, rights, n, results["abilities"][ability]["chance"])
    else:
        verdict = judge_scores(sizes, [c[metric] for c in cells])
    return verdict, sizes, [estimate(c, metric).effect for c in cells]


def verdict_lines(ladder: dict, results: dict, metric: str) -> list[str]:
    """One sentence per ability under `metric`, with its numbers and the tests' verdict."""
    lines = []
    for ability, title in ABILITIES.items():
        verdict, sizes, seen = judged(ladder, results, ability, metric)
        lines.append(f"**{title}**: " + describe(METRICS[metric], verdict, sizes, seen, FORMATS[metric]))
    return lines


def member_table(ladder: dict, results: dict | None) -> pd.DataFrame:
    """A row per member: its size, training and held-out loss, and each ability under every metric (95% interval)."""
    rows = []
    for name, row in ladder.items():
        line = {
            "Member": name,
            "Parameters": f"{row['parameters']:,}",
            "Tokens": f"{row['tokens']:,}",
            "FLOPs": f"{row['flops']:.2e}",
            "Held-out loss": round(row["held_out_loss"], 3),
        }
        for ability in ABILITIES if results else ():
            cell = results["abilities"][ability]["members"].get(name)
            for metric, label in (("exact", "exact"), ("logprob", "log p"), ("edit", "edit")):
                shown = "" if cell is None else _interval(estimate(cell, metric), metric)
                line[f"{ability} {label}"] = shown
        rows.append(line)
    return pd.DataFrame(rows)


def _interval(est, metric: str) -> str:
    if metric == "exact":
        return format_estimate(est, "{:.0f}", 100, "%")
    return format_estimate(est, FORMATS[metric])


def story(ladder: dict, results: dict) -> str:
    """The course slide's claim beside what this ladder shows, read from the verdicts."""
    shapes = {m: {a: judged(ladder, results, a, m)[0].shape for a in ABILITIES} for m in METRICS}
    sizes = [row["parameters"] for row in ladder.values()]

    def counted(metric: str) -> str:
        found = shapes[metric]
        parts = []
        for shape, word in ((SHARP, "sharp"), (SMOOTH, "smooth"), (FLAT, "no change seen"), (CHANCE, "at chance")):
            names = [SHORT[a] for a, s in found.items() if s == shape]
            if names:
                parts.append(f"{word}: {', '.join(names)}")
        undecided = sum(s not in (SHARP, SMOOTH, FLAT, CHANCE) for s in found.values())
        if undecided:
            parts.append(f"{undecided} not enough evidence to tell")
        return "; ".join(parts)

    return (
        "The course notes' *Impact of Scale* slide shows Wei et al. (2022)'s chart: few-shot abilities of "
        "GPT-3, LaMDA and others sit near chance up to some size, then climb steeply, which the paper calls "
        "*emergent*, unpredictable from smaller models. Schaeffer et al. (2023) answer that the jump is in the "
        "metric: all-or-nothing exact match turns a smooth gain in per-token probability into a sudden-looking "
        "step, and a continuous metric on the same models rises smoothly.\n\n"
        f"Our ladder spans {sizes[0] / 1e6:.2f} M to {sizes[-1] / 1e6:.2f} M parameters "
        f"({len(sizes)} members, {results['n']} held-out items per cell). "
        f"Under exact match: {counted('exact')}. "
        f"Under the log-probability of the right reply: {counted('logprob')}. "
        f"Under the token edit distance: {counted('edit')}. " + _mirage_sentence(shapes)
    )


def _mirage_sentence(shapes: dict) -> str:
    sharp_exact = [a for a, s in shapes["exact"].items() if s == SHARP]
    smooth_too = [a for a in sharp_exact if shapes["logprob"][a] == SMOOTH]
    if not sharp_exact:
        return "No ability steps sharply under exact match here, so this ladder shows no emergence to explain."
    said = [
        f"{SHORT[a]} steps under exact match and is {WORDS[shapes['logprob'][a]]} under log-probability"
        for a in sharp_exact
    ]
    mirage = " (Schaeffer's mirage)" if smooth_too else ""
    return "; ".join(said).capitalize() + mirage + "."


WORDS = {SHARP: "sharp too", SMOOTH: "smooth", FLAT: "flat", UNDECIDED: "not clearly either", CHANCE: "at chance"}
