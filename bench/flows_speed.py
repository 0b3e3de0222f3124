"""How fast flows train and sample on this machine, against a DDPM on the same data.

    python bench/flows_speed.py [--threads 1]

1. Training a 2-D RealNVP to convergence: held-out log-likelihood every 100 steps; converged means
   within 0.05 nats of the best value reached in 3000 steps.
2. Sampling 1000 points, flow vs. DDPM, on 2-D rings (models trained here) and on digits (bundled models):
   median wall time of 3 runs and the number of network evaluations.
3. The demo's race at its default settings (`/flows/race2d`, as its handler streams to the page): seconds until
   the first view (the data), until the flow's row, and until the whole race is done (target: the page shows
   progress within 1 s and the race ends within 5 s, or streams).
"""

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.flows import DDPM_MODEL, FLOW_MODEL, compare, datasets2d, ddpm, train2d  # noqa: E402
from core.flows.flow import REALNVP, FlowConfig, log_prob  # noqa: E402
from core.flows.likelihood import mean_log_likelihood  # noqa: E402
from core.runtime import get_model  # noqa: E402

CONVERGED_WITHIN = 0.05  # nats
SAMPLES = 1000
REPEATS = 3


def time_to_converge(dataset: str, steps: int = 3000) -> None:
    data, heldout = datasets2d.train_and_heldout(dataset, seed=0)
    curve, start = [], time.perf_counter()
    for progress in train2d.train(data, FlowConfig(kind=REALNVP, transforms=6), steps, seed=0, report_every=100):
        elapsed = time.perf_counter() - start
        curve.append((progress.step, elapsed, mean_log_likelihood(lambda x, f=progress.flow: log_prob(f, x), heldout)))
        start = time.perf_counter() - elapsed  # leave the evaluation out of the training time
    best = max(ll for _, _, ll in curve)
    step, seconds, ll = next(point for point in curve if point[2] >= best - CONVERGED_WITHIN)
    print(
        f"  {dataset:16s} converged at step {step:4d} after {seconds:6.1f} s "
        f"(held-out {ll:.3f} nats, best {best:.3f}; {steps} steps took {curve[-1][1]:.1f} s)"
    )


def median_sampling(draw) -> compare.Sampled:
    runs = [draw() for _ in range(REPEATS)]
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def report(label: str, drawn: compare.Sampled) -> None:
    print(
        f"  {label:28s} {drawn.seconds:7.3f} s for {SAMPLES} ({drawn.ms_per_sample:7.4f} ms/sample), "
        f"{drawn.evaluations:5d} network evaluations"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")

    print("Training a 2-D flow (RealNVP, 6 layers, batch 256) to convergence:")
    for dataset in (datasets2d.MOONS, datasets2d.RINGS):
        time_to_converge(dataset)

    print(f"Sampling {SAMPLES} points, 2-D rings:")
    data, heldout = datasets2d.train_and_heldout(datasets2d.RINGS, seed=0)
    *_, last = train2d.train(data, FlowConfig(kind=REALNVP, transforms=6), 1500, seed=0)
    model = compare.new_ddpm_2d(seed=0)
    start = time.perf_counter()
    for _ in compare.train_ddpm_2d(model, data, 3000, seed=0):
        pass
    print(f"  (DDPM trained for 3000 steps in {time.perf_counter() - start:.1f} s)")
    scheduler = ddpm.make_scheduler(compare.DDPM_2D)
    report("flow (RealNVP, 6 layers)", median_sampling(lambda: compare.sample_flow(last.flow, SAMPLES, 0)))
    report(
        f"DDPM ({compare.DDPM_2D.timesteps} steps)",
        median_sampling(lambda: compare.sample_ddpm(model, scheduler, SAMPLES, 0)),
    )

    race_timeline()

    print(f"Sampling {SAMPLES} digits, bundled models:")
    for name in (FLOW_MODEL, DDPM_MODEL):
        loaded = get_model(name)
        report(name, median_sampling(lambda m=loaded: compare.sample_digits(m, SAMPLES, 0)))


def race_timeline() -> None:
    from apps.flows import RACE_DDPM_STEPS, RACE_FLOW_STEPS, race

    print(f"The race at its defaults (rings, RealNVP 6 layers, {RACE_FLOW_STEPS} + {RACE_DDPM_STEPS} steps):")
    for run in range(REPEATS):
        start, seen = time.perf_counter(), []
        for _ in race(datasets2d.RINGS, RACE_FLOW_STEPS, RACE_DDPM_STEPS, run, progress=lambda *a, **k: None):
            seen.append(time.perf_counter() - start)
        first, flow, done = seen[0], seen[1] if len(seen) > 2 else float("nan"), seen[-1]
        print(f"  run {run + 1}: first view {first:.2f} s, flow row {flow:.2f} s, done {done:.2f} s")


if __name__ == "__main__":
    main()
