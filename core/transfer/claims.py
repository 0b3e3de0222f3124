"""The honest claim check. The course says transfer learning "is faster than regular learning, more
accurate and requires less training data". Each claim is measured here against training from scratch:

- faster: epochs (and seconds) until the target test accuracy is first reached;
- more accurate: test accuracy after the last epoch, mean over seeds;
- less data: the fewest labelled examples per class that reach the target accuracy.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from core.runtime.validate import number, whole_number
from core.transfer.choices import DEFAULT_EPOCHS, DEFAULT_LR, MAX_SEEDS, SWEEP_SHOTS
from core.transfer.data import check_shots
from core.transfer.finetune import EpochResult, finetune
from core.transfer.modes import MODES, get_mode, trainable_count


@dataclass
class Run:
    """One fine-tuning run; `curve` grows by one point per epoch while it trains."""

    mode: str
    shots: int
    seed: int
    curve: list[EpochResult] = field(default_factory=list)

    @property
    def final_accuracy(self) -> float:
        return self.curve[-1].accuracy


def check_seeds(seeds: int) -> int:
    return whole_number(seeds, "number of seeds", 1, MAX_SEEDS)


def check_target(target: float) -> float:
    return number(target, "target accuracy", 0.0, 1.0, above_low=True, hint="pick a fraction such as 0.85")


def check_modes(modes: list[str]) -> list[str]:
    if not modes:
        raise ValueError(
            "no adaptation mode is selected: tick at least one, e.g. 'From scratch' and 'Full fine-tuning'"
        )
    return [get_mode(m).key for m in modes]


def train_runs(
    modes: list[str],
    shots: int,
    epochs: int = DEFAULT_EPOCHS,
    lr: float = DEFAULT_LR,
    seeds: int = 3,
    first_seed: int = 0,
    source: str = "digits",
) -> Iterator[list[Run]]:
    """Every mode for seeds first_seed .. first_seed+seeds-1; yields all runs so far after each epoch."""
    runs: list[Run] = []
    modes, seeds = check_modes(modes), check_seeds(seeds)
    for seed in range(first_seed, first_seed + seeds):
        for mode in modes:
            run = Run(mode, shots, seed)
            runs.append(run)
            for point in finetune(mode, shots, epochs, seed, lr, source):
                run.curve.append(point)
                yield runs


def sweep_shots(
    modes: list[str],
    shots: int,
    epochs: int = DEFAULT_EPOCHS,
    lr: float = DEFAULT_LR,
    seeds: int = 3,
    first_seed: int = 0,
    source: str = "digits",
) -> Iterator[list[Run]]:
    """Whole runs at each of SWEEP_SHOTS labels per class and at `shots`; yields all runs after each one."""
    runs: list[Run] = []
    modes, seeds = check_modes(modes), check_seeds(seeds)
    for n in sorted(set(SWEEP_SHOTS) | {check_shots(shots)}):
        for seed in range(first_seed, first_seed + seeds):
            for mode in modes:
                runs.append(Run(mode, n, seed, list(finetune(mode, n, epochs, seed, lr, source))))
                yield runs


@dataclass(frozen=True)
class ModeSummary:
    mode: str
    runs: int
    trainable: int
    accuracy: float  # mean final test accuracy over seeds
    spread: float  # standard deviation of the final accuracy over seeds
    epochs_to_target: int | None  # first epoch whose mean accuracy over seeds reaches the target; None if none
    seconds_to_target: float | None  # mean training seconds until that epoch


def summarize(runs: list[Run], target: float) -> list[ModeSummary]:
    """Per mode, in MODES order: final accuracy and the time to reach `target`, over its seeds (the runs of one
    mode have equal lengths once finished; a run still training is cut to the shortest)."""
    target = check_target(target)
    out = []
    for key in MODES:
        mine = [r for r in runs if r.mode == key and r.curve]
        if not mine:
            continue
        length = min(len(r.curve) for r in mine)
        acc = np.array([[p.accuracy for p in r.curve[:length]] for r in mine])  # (seeds, epochs + 1)
        hits = np.flatnonzero(acc.mean(axis=0) >= target)
        epoch = int(hits[0]) if len(hits) else None
        out.append(
            ModeSummary(
                mode=key,
                runs=len(mine),
                trainable=trainable_count(key),
                accuracy=float(acc[:, -1].mean()),
                spread=float(acc[:, -1].std()),
                epochs_to_target=epoch,
                seconds_to_target=None if epoch is None else float(np.mean([r.curve[epoch].seconds for r in mine])),
            )
        )
    return out


def accuracy_by_shots(runs: list[Run]) -> dict[str, dict[int, np.ndarray]]:
    """mode -> shots -> final accuracies over seeds."""
    table: dict[str, dict[int, list[float]]] = {}
    for r in runs:
        table.setdefault(r.mode, {}).setdefault(r.shots, []).append(r.final_accuracy)
    return {m: {s: np.array(v) for s, v in sorted(by.items())} for m, by in table.items()}


def labels_needed(by_shots: dict[int, np.ndarray], target: float) -> int | None:
    """The fewest labels per class whose mean accuracy reaches `target`; None if no swept amount does."""
    return next((shots for shots, accs in by_shots.items() if accs.mean() >= target), None)


@dataclass(frozen=True)
class Verdict:
    claim: str
    measure: str
    scratch: str
    transfer: dict[str, str]  # transfer mode -> measured value and whether the claim holds for it


HOLDS, FAILS, CLOSE = "✓ holds", "✗ does not hold", "≈ too close to call"
UNMEASURED = "– neither reached the target"


def claim_check(runs: list[Run], shots: int, target: float) -> list[Verdict]:
    """The three claims, each transfer mode against from-scratch, read from a label sweep that includes `shots`:
    faster and more accurate at `shots` labels per class, less data across the sweep."""
    summaries = summarize([r for r in runs if r.shots == shots], target)
    by_mode = {s.mode: s for s in summaries}
    if "scratch" not in by_mode:
        raise ValueError("the claim check compares against training from scratch: tick 'From scratch' too")
    base = by_mode["scratch"]
    others = [s for s in summaries if s.mode != "scratch"]

    def epochs_text(s: ModeSummary) -> str:
        if s.epochs_to_target is None:
            return f"never reached {target:.0%}"
        return f"{s.epochs_to_target} epochs, {s.seconds_to_target:.2f} s of training"

    def fewer(mine: float | None, theirs: float | None) -> str:
        """Whether `mine` needs less than `theirs`, where None means the target was never reached."""
        if mine is None:
            return FAILS if theirs is not None else UNMEASURED
        if theirs is None or mine < theirs:
            return HOLDS
        return CLOSE if mine == theirs else FAILS

    def more_accurate(s: ModeSummary) -> str:
        gap = s.accuracy - base.accuracy
        if abs(gap) <= max(s.spread, base.spread):
            return CLOSE
        return HOLDS if gap > 0 else FAILS

    needed = {mode: labels_needed(by, target) for mode, by in accuracy_by_shots(runs).items()}

    def labels_text(n: int | None) -> str:
        return f"{n} per class" if n is not None else f"more than {max(SWEEP_SHOTS)} per class"

    return [
        Verdict(
            "Faster",
            f"epochs until {target:.0%} test accuracy, at {shots} labels per class",
            epochs_text(base),
            {s.mode: f"{epochs_text(s)} {fewer(s.epochs_to_target, base.epochs_to_target)}" for s in others},
        ),
        Verdict(
            "More accurate",
            f"final test accuracy at {shots} labels per class, mean ± sd over {base.runs} seeds",
            f"{base.accuracy:.1%} ± {base.spread:.1%}",
            {s.mode: f"{s.accuracy:.1%} ± {s.spread:.1%} {more_accurate(s)}" for s in others},
        ),
        Verdict(
            "Less data",
            f"fewest labels per class whose mean accuracy reaches {target:.0%}",
            labels_text(needed["scratch"]),
            {s.mode: f"{labels_text(needed[s.mode])} {fewer(needed[s.mode], needed['scratch'])}" for s in others},
        ),
    ]
