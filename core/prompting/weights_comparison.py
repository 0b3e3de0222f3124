"""New weights against the bundled ones, on the same held-out questions: what a candidate model gains and loses.

    python -m core.prompting.weights_comparison CANDIDATE.json [--base core/prompting/model/evaluation.json]

Both files come from `python -m core.prompting.evaluate --write --out FILE` (with `--model DIR` for the candidate)
at the same n and k. The evaluation draws its questions, examples and probes from fixed seeds, so the two files
score the same items, and every cell is a paired comparison: the difference in accuracy with Newcombe's interval and
McNemar's exact test. The report lists the cells that changed significantly, then every claim of the claim check
(`core.prompting.claims`) whose verdict differs. A candidate replaces the bundled weights only when no cell is
significantly worse and no claim that holds stops holding, except a claim lost only because the cell it is measured
against rose significantly (plain zero-shot answered better leaves "Let's think step by step" less to add); the
model card then names that cell. A gain in one cell does not buy a worse cell or a lost claim. About 80 cells are
each tested at the 5% level, so some 4 of them are expected to show up by chance alone (about 2 worse): demanding
none worse is strict on purpose, so that a candidate is taken only when it is clearly better, not merely no worse.
Further training on the bundled weights' own corpus moves cells and claims too, so a corpus change is judged by
its difference from a control run with the same settings (`--base CONTROL.json`; the model card gives both).
"""

import argparse
import json
from pathlib import Path

from core.prompting.claims import EVALUATION_FILE, as_array, claims
from core.stats import paired_accuracy_difference
from core.stats.verdict import HOLDS

SIGNIFICANT = 0.05


def cell_bits(results: dict, path: str = "") -> dict[str, str]:
    """Every right/wrong string of an evaluation, by its path: "families / coin_flip / longer / zero-shot"."""
    found: dict[str, str] = {}
    for key, value in results.items():
        name = f"{path} / {key}" if path else key
        if isinstance(value, dict):
            found |= cell_bits(value, name)
        elif isinstance(value, str) and value and set(value) <= {"0", "1"}:  # not the reply modes ("c", "d")
            found[name] = value
    return found


def changed_cells(base: dict, new: dict) -> list[tuple[str, float, float, object]]:
    """(cell, base accuracy, new accuracy, paired difference) for every cell whose difference is significant."""
    if (base["n"], base["k"]) != (new["n"], new["k"]):
        raise ValueError(
            f"the two evaluations differ in n or k ({base['n']}, {base['k']} against {new['n']}, {new['k']}): "
            "run both with the same --n and --k"
        )
    if ("flipped_outcomes" in base) != ("flipped_outcomes" in new):
        raise ValueError(
            "one evaluation was written before the flipped-labels probe took turns between yes and no, so its "
            "flipped questions are other ones: evaluate both with the same code"
        )
    old_bits, new_bits = cell_bits(base), cell_bits(new)
    unpaired = [name for name, bits in old_bits.items() if len(new_bits.get(name, "")) != len(bits)]
    if unpaired:
        raise ValueError(
            f"the candidate's evaluation lacks these cells, or has them at another size: {', '.join(unpaired)}; "
            "evaluate it with the same code and --n"
        )
    changed = []
    for name, before in old_bits.items():
        after = new_bits[name]
        diff = paired_accuracy_difference(as_array(before), as_array(after))
        if diff.p_value < SIGNIFICANT:
            changed.append((name, diff.a_mean, diff.b_mean, diff))
    return changed


def verdict_changes(base: dict, new: dict) -> list[tuple[str, str, str]]:
    """(claim, verdict before, verdict after) for every claim of the claim check whose verdict differs."""
    return [
        (old.statement, old.verdict, now.verdict)
        for old, now in zip(claims(base), claims(new), strict=True)
        if old.verdict != now.verdict
    ]


def lost_claims(changes: list[tuple[str, str, str]]) -> list[str]:
    """The claims among `verdict_changes` that held before and do not now."""
    return [claim for claim, before, _ in changes if before == HOLDS]


def report(base: dict, new: dict) -> str:
    """Markdown: the significantly changed cells, the claims whose verdict changed, and whether nothing was lost."""
    changed = changed_cells(base, new)
    lines = ["| cell | bundled | candidate | difference [95% CI] | McNemar p |", "| --- | --- | --- | --- | --- |"]
    for name, before, after, diff in changed:
        interval = f"{100 * diff.effect:+.1f} [{100 * diff.low:+.1f}, {100 * diff.high:+.1f}]"
        cell = name.replace("|", "\\|")  # a layout such as `x | y` would split the table's row
        lines.append(f"| {cell} | {before:.0%} | {after:.0%} | {interval} | {diff.p_value:.2g} |")
    if len(lines) == 2:
        lines = ["No cell differs significantly."]
    changes = verdict_changes(base, new)
    verdicts = [f"- {claim}: {before} -> {after}" for claim, before, after in changes]
    worse = sum(diff.effect < 0 for *_, diff in changed)
    tally = f"Cells significantly worse: {worse}; better: {len(changed) - worse}."
    lost = lost_claims(changes)
    ending = (
        f"**{len(lost)} claim(s) that hold for the bundled weights do not hold for the candidate.** It is refused unless "
        "each was lost only because the cell it is measured against rose significantly (in the table above)."
        if lost
        else "No claim that holds for the bundled weights is lost."
    )
    return "\n".join(
        [f"Paired on n = {base['n']} items a cell, k = {base['k']}.", "", *lines, "", "Claims whose verdict changed:"]
        + (verdicts or ["- none"])
        + ["", tally, ending]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("candidate", type=Path, help="the candidate's evaluation file")
    parser.add_argument("--base", type=Path, default=EVALUATION_FILE, help="the evaluation to compare against")
    args = parser.parse_args(argv)
    for path in (args.candidate, args.base):
        if not path.is_file():
            parser.error(f"{path} is not a file: write one with `python -m core.prompting.evaluate --write --out`")
    print(report(json.loads(args.base.read_text()), json.loads(args.candidate.read_text())))


if __name__ == "__main__":
    main()
