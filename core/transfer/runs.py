"""The fine-tuning runs the transfer lab compares: every ticked mode for each seed, and the label sweep the claims
read, yielded as they finish so that a page can draw them while they train; and each mode's summary over seeds."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from core.runtime.seeding import check_seed
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
            "no modes to compare are ticked: tick at least one, e.g. 'From scratch' and 'Full fine-tuning'"
        )
    return [get_mode(m).key for m in modes]


def trained(mode: str, shots: int, seed: int, epochs: int, source: str, lr: float = DEFAULT_LR) -> Run:
    """One whole run."""
    return Run(mode, shots, seed, list(finetune(mode, shots, epochs, seed, lr, source)))


@dataclass(frozen=True)
class Comparison:
    """What a comparison trains: each of `modes` at `shots` labels per class, for seeds first_seed ..
    first_seed+seeds-1 (seed k of every mode draws the same labelled examples)."""

    modes: tuple[str, ...] | list[str]
    shots: int
    epochs: int = DEFAULT_EPOCHS
    lr: float = DEFAULT_LR
    seeds: int = 3
    first_seed: int = 0
    source: str = "digits"

    def seeds_and_modes(self) -> list[tuple[int, str]]:
        """(seed, mode) in training order, each seed with every mode; a ValueError for bad modes or seeds."""
        modes, seeds, first = check_modes(self.modes), check_seeds(self.seeds), check_seed(self.first_seed)
        return [(seed, mode) for seed in range(first, first + seeds) for mode in modes]


def train_runs(plan: Comparison) -> Iterator[list[Run]]:
    """Every mode of `plan` for each seed; yields all runs so far after each epoch."""
    runs: list[Run] = []
    for seed, mode in plan.seeds_and_modes():
        run = Run(mode, plan.shots, seed)
        runs.append(run)
        for point in finetune(mode, plan.shots, plan.epochs, seed, plan.lr, plan.source):
            run.curve.append(point)
            yield runs


def sweep_shots(plan: Comparison, target: float) -> Iterator[list[Run]]:
    """Seed by seed, each mode's label sweep (`runs_until_target`); yields all runs after each one, so the runs of
    every seed before the last run's seed are complete."""
    runs: list[Run] = []
    shots, target = check_shots(plan.shots), check_target(target)
    for seed, mode in plan.seeds_and_modes():
        for run in runs_until_target(mode, shots, target, seed, plan.epochs, plan.source, lr=plan.lr):
            runs.append(run)
            yield runs


def sweep_runs(modes: list[str], seeds: int, shots: int) -> int:
    """The most fine-tuning runs `sweep_shots` can train: every swept amount for every mode and seed (fewer where
    a mode reaches the target early)."""
    amounts = sorted(set(SWEEP_SHOTS) | {check_shots(shots)})
    return len(check_modes(modes)) * check_seeds(seeds) * len(amounts)


def runs_until_target(
    mode: str, shots: int, target: float, seed: int, epochs: int, source: str, log=None, lr: float = DEFAULT_LR
) -> Iterator[Run]:
    """The runs of the label sweep that the claims read for one mode and seed: every swept amount up to the
    first that reaches `target` and at least up to `shots` (the larger amounts cannot change the claims)."""
    for n in sorted(set(SWEEP_SHOTS) | {shots}):
        run = trained(mode, n, seed, epochs, source, lr)
        if log:
            log(f"{source} {mode} seed {seed} {n} labels: {run.final_accuracy:.3f}")
        yield run
        if n >= shots and run.final_accuracy >= target:
            return


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
