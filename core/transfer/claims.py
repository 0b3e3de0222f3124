"""The honest claim check. The course says transfer learning "is faster than regular learning, more
accurate and requires less training data". Each claim is measured here against training from scratch, seed by
seed (seed k of every mode draws the same labelled examples), with a 95% interval over seeds and a paired test:

- faster: epochs until the target test accuracy is first reached;
- more accurate: test accuracy after the last epoch;
- less data: the fewest labelled examples per class that reach the target accuracy.

The runs themselves are trained in `core.transfer.runs`; `python -m core.transfer.claims` measures the README's
table.
"""

from dataclasses import dataclass

import numpy as np

from core.stats import (
    FAILS,
    HOLDS,
    UNCLEAR,
    Difference,
    format_claim,
    format_estimate,
    format_p,
    paired_seed_difference,
)
from core.transfer.choices import DEFAULT_EPOCHS
from core.transfer.modes import ADAPTATIONS, MODES
from core.transfer.runs import Run, check_target, runs_until_target, trained


@dataclass(frozen=True)
class Verdict:
    claim: str
    measure: str
    scratch: str
    transfer: dict[str, str]  # transfer mode -> measured value, its gap to from-scratch and the verdict
    evidence: dict[str, Difference]  # transfer mode -> the paired gap over shared seeds, positive = claim holds
    values: dict[str, str]  # transfer mode -> the measured value alone
    gap_format: tuple[str, float, str]  # fmt, scale and unit of the gap, for core.stats.format_estimate


MARKS = {HOLDS: "✓", FAILS: "✗", UNCLEAR: "≈"}
UNMEASURED = "– neither reached the target on any seed"


def by_seed(runs: list[Run], mode: str, shots: int) -> dict[int, Run]:
    return {r.seed: r for r in runs if r.mode == mode and r.shots == shots and r.curve}


def epochs_to_target(run: Run, target: float) -> int:
    """The first epoch whose test accuracy reaches `target`; a run that never does counts as one more epoch
    than it trained (a lower bound on its true time)."""
    hits = [p.epoch for p in run.curve if p.accuracy >= target]
    return hits[0] if hits else len(run.curve)


def labels_needed_by_seed(runs: list[Run], mode: str, target: float) -> dict[int, int | None]:
    """seed -> the fewest swept labels per class whose run reaches `target` at its last epoch; None if none."""
    seeds = {r.seed for r in runs if r.mode == mode}
    return {
        seed: next(
            (
                r.shots
                for r in sorted(runs, key=lambda r: r.shots)
                if r.mode == mode and r.seed == seed and r.curve and r.final_accuracy >= target
            ),
            None,
        )
        for seed in sorted(seeds)
    }


def paired_gap(base: dict[int, float], mine: dict[int, float], higher_is_better: bool) -> Difference:
    """The gap mine - base (or base - mine where lower is better) over the seeds both have: paired t interval and
    test, so positive means the transfer mode did better."""
    seeds = sorted(base.keys() & mine.keys())
    if not seeds:
        raise ValueError("the claim check pairs runs by seed: run from-scratch and transfer with the same seeds")
    a, b = [base[s] for s in seeds], [mine[s] for s in seeds]
    return paired_seed_difference(a, b) if higher_is_better else paired_seed_difference(b, a)


ONE_SEED = "no interval from 1 seed: needs 2 or more seeds"


def stated(value: str, gap: Difference, fmt: str, scale: float = 1.0, unit: str = "") -> str:
    """'✓ value; gap [low, high], n = .. seeds, p = ..: holds', or the value alone where one seed gives no gap."""
    if gap.n < 2:
        return f"{value}; {ONE_SEED}"
    return f"{MARKS[gap.verdict]} {value}; {format_claim(gap, fmt, scale, unit, 'seeds')}"


def claim_check(runs: list[Run], shots: int, target: float) -> list[Verdict]:
    """The three claims, each transfer mode against from-scratch over the seeds both ran (paired: seed k of a mode
    shares its labelled examples with seed k of from-scratch), read from a label sweep that includes `shots`:
    faster and more accurate at `shots` labels per class, less data across the sweep. Each gap comes with its
    95% t interval over seeds, the paired t-test's p-value and a verdict (core.stats)."""
    target = check_target(target)
    modes = [m for m in MODES if by_seed(runs, m, shots)]
    if "scratch" not in modes:
        raise ValueError("the claim check compares against training from scratch: tick 'From scratch' too")
    others = [m for m in modes if m != "scratch"]
    base_runs = by_seed(runs, "scratch", shots)
    n = len(base_runs)

    accuracy = {m: {s: r.final_accuracy for s, r in by_seed(runs, m, shots).items()} for m in modes}
    epochs = {m: {s: epochs_to_target(r, target) for s, r in by_seed(runs, m, shots).items()} for m in modes}
    never_epoch = {m: {s: len(r.curve) for s, r in by_seed(runs, m, shots).items()} for m in modes}
    top = 2 * max(r.shots for r in runs)  # a seed that never reaches the target counts as the next doubling
    needed = {m: labels_needed_by_seed(runs, m, target) for m in modes}
    labels = {m: {s: top if v is None else v for s, v in needed[m].items()} for m in modes}

    def accuracy_text(m: str) -> str:
        values = np.array(list(accuracy[m].values()))
        return f"{values.mean():.1%} ± {values.std():.1%}"

    def epochs_text(m: str) -> str:
        never = sum(epochs[m][s] == never_epoch[m][s] for s in epochs[m])
        if never == len(epochs[m]):
            return f"never reached {target:.0%}"
        return f"{np.mean(list(epochs[m].values())):.1f} epochs" + (f" ({never} never)" if never else "")

    def labels_text(m: str) -> str:
        missing = sum(v is None for v in needed[m].values())
        median = np.median(list(labels[m].values()))
        shown = f"more than {top // 2}" if median >= top else f"{median:g}"
        return f"{shown} per class (median)" + (f", {missing} seeds never" if missing else "")

    def all_never(m: str) -> bool:
        return all(epochs[k][s] == never_epoch[k][s] for k in ("scratch", m) for s in epochs[k])

    gaps = {
        "accuracy": {m: paired_gap(accuracy["scratch"], accuracy[m], True) for m in others},
        "epochs": {m: paired_gap(epochs["scratch"], epochs[m], False) for m in others},
        "labels": {m: paired_gap(labels["scratch"], labels[m], False) for m in others},
    }
    formats = {
        "epochs": ("{:+.1f}", 1.0, " epochs"),
        "accuracy": ("{:+.1f}", 100.0, " pp"),
        "labels": ("{:+.1f}", 1.0, " labels"),
    }
    values = {
        "epochs": {m: epochs_text(m) for m in others},
        "accuracy": {m: accuracy_text(m) for m in others},
        "labels": {m: labels_text(m) for m in others},
    }

    def verdict(claim: str, measure: str, key: str, scratch: str) -> Verdict:
        transfer = {m: stated(values[key][m], gaps[key][m], *formats[key]) for m in others}
        if key == "epochs":
            transfer |= {m: UNMEASURED for m in others if all_never(m)}
        return Verdict(claim, measure, scratch, transfer, gaps[key], values[key], formats[key])

    return [
        verdict(
            "Faster",
            f"epochs until {target:.0%} test accuracy at {shots} labels per class, mean over {n} seeds; the gap is "
            "epochs saved (a run that never reaches it counts as one epoch more than it trained)",
            "epochs",
            epochs_text("scratch"),
        ),
        verdict(
            "More accurate",
            f"final test accuracy at {shots} labels per class, mean ± sd over {n} seeds; the gap is in "
            "percentage points",
            "accuracy",
            accuracy_text("scratch"),
        ),
        verdict(
            "Less data",
            f"fewest swept labels per class that reach {target:.0%} test accuracy, per seed; the gap is labels "
            f"saved (a seed that never reaches it counts as {top})",
            "labels",
            labels_text("scratch"),
        ),
    ]


def compact(verdict: Verdict, mode: str) -> str:
    """'value: gap [low, high], p = ..., verdict' for a table whose header gives n."""
    gap = verdict.evidence[mode]
    if gap.n < 2:
        return f"{verdict.values[mode]}: {ONE_SEED}"
    return (
        f"{verdict.values[mode]}: {format_estimate(gap, *verdict.gap_format)}, {format_p(gap.p_value)}, {gap.verdict}"
    )


README_MODES = ("scratch", "last_layer", "last_2", "full")


def readme_table(
    seeds: int, shots: int, target: float, epochs: int = DEFAULT_EPOCHS, also_at: tuple[int, ...] = (), log=None
) -> str:
    """The README's markdown table: the three claims from the related source, "more accurate" from the unrelated
    one and at each amount in `also_at`, every transfer cell with its paired gap to from-scratch."""
    runs = [
        run
        for seed in range(seeds)
        for mode in README_MODES
        for run in runs_until_target(mode, shots, target, seed, epochs, "digits", log)
    ]
    unrelated = [r for r in runs if r.mode == "scratch" and r.shots == shots] + [
        trained(m, shots, seed, epochs, "unrelated") for seed in range(seeds) for m in README_MODES[1:]
    ]
    more = {n: [trained(m, n, seed, epochs, "digits") for seed in range(seeds) for m in README_MODES] for n in also_at}
    faster, accurate, less_data = claim_check(runs, shots, target)
    rows = [
        ("faster", f"digits 0-4, {shots} labels", faster),
        ("more accurate", f"digits 0-4, {shots} labels", accurate),
        ("less data", "digits 0-4", less_data),
        ("more accurate", f"unrelated (random textures), {shots} labels", claim_check(unrelated, shots, target)[1]),
        *(("more accurate", f"digits 0-4, {n} labels", claim_check(more[n], n, target)[1]) for n in also_at),
    ]
    header = "| claim | source, labels per class | " + " | ".join(ADAPTATIONS[m].label for m in README_MODES) + " |"
    lines = [header, "|" + " --- |" * (2 + len(README_MODES))]
    for claim, where, verdict in rows:
        cells = [verdict.scratch, *(compact(verdict, m) for m in README_MODES[1:])]
        lines.append(f"| {claim} | {where} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Measure the transfer lab's claims for the README.")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument(
        "--shots", type=int, default=5, help="labelled examples per class for 'faster', 'more accurate'"
    )
    parser.add_argument("--target", type=float, default=0.5)
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--also-at", type=int, nargs="*", default=[50], help="more 'more accurate' rows at these")
    args = parser.parse_args()
    print(
        readme_table(
            args.seeds,
            args.shots,
            args.target,
            args.epochs,
            tuple(args.also_at),
            log=lambda m: print(m, file=sys.stderr),
        )
    )
