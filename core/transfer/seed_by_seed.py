"""The claim check as a page runs it: the label sweep seed by seed, the claims over the finished seeds after each
one, and, when the server's time limit stops the sweep, the claims over the seeds that finished."""

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from core.runtime.limits import TooLong, time_limited
from core.transfer.choices import FEWER
from core.transfer.modes import ADAPTATIONS
from core.transfer.runs import Comparison, Run, check_seeds, check_target, sweep_runs, sweep_shots


@dataclass(frozen=True)
class SweepStep:
    """One trained run of the sweep. `status` is set once a seed has finished: `finished` then holds the runs of
    every finished seed, which the claims read."""

    fraction: float  # of the most runs the sweep can train
    doing: str  # the run just trained, in words
    finished: list[Run]
    status: str | None = None


def seeds_finished(runs: list[Run]) -> int:
    return len({r.seed for r in runs})


def claims_seed_by_seed(plan: Comparison, target: float) -> Iterator[SweepStep]:
    """The label sweep of `plan`'s modes plus the from-scratch baseline, one step per trained run; a step with a
    status after each finished seed, and a last one when the sweep ends or the time limit stops it (a TooLong
    only when no seed had finished)."""
    target, seeds = check_target(target), check_seeds(plan.seeds)
    plan = replace(plan, modes=list(dict.fromkeys(["scratch", *plan.modes])))
    total, start, runs = sweep_runs(plan.modes, seeds, plan.shots), time.perf_counter(), []
    try:
        for runs in time_limited(sweep_shots(plan, target), FEWER):
            run, finished = runs[-1], []
            doing = f"seed {run.seed}: {ADAPTATIONS[run.mode].label}, {run.shots} labels per class"
            if len(runs) > 1 and runs[-2].seed != run.seed:
                finished = runs[:-1]
            status = f"{seeds_finished(finished)} of {seeds} seeds finished; the next one is training."
            yield SweepStep(min(1.0, len(runs) / total), doing, finished, status if finished else None)
    except TooLong as err:
        finished = [r for r in runs if r.seed < runs[-1].seed] if runs else []
        if not finished:
            raise
        status = f"{err}. The results shown are for the {seeds_finished(finished)} seeds finished."
        yield SweepStep(1.0, "stopped at the time limit", finished, status)
        return
    yield SweepStep(1.0, "done", runs, f"All {seeds} seeds finished in {time.perf_counter() - start:.0f} s.")
