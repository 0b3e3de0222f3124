"""How fast the confidence-vs-density page fits, scores and reruns on this machine.

    python bench/uncertainty_speed.py

1. Fitting one setup (data, classifier, density model, held-out scores): target at most 5 s.
2. Scoring the 150 x 150 grid in the full input space: target at most 0.5 s.
3. A page rerun after adding a test point, models cached (Streamlit's AppTest): target at most 300 ms.
Each figure is the median of 3 runs; the worst setup is compared with the target.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from core.uncertainty.experiment import Setup, fit, score_grid  # noqa: E402

REPEATS = 3
SETUPS = (
    Setup("moons", "mlp", "gaussian"),
    Setup("moons", "mlp", "knn", space="hidden"),
    Setup("blobs", "mlp", "gmm"),
    Setup("digits", "logreg", "mahalanobis"),
    Setup("digits", "mlp", "gaussian"),
    Setup("digits", "mlp", "gaussian", space="hidden"),
    Setup("digits", "mlp", "gmm"),
    Setup("digits", "mlp", "knn"),
)
TARGETS_S = {"fit": 5.0, "grid": 0.5, "rerun": 0.3}


def median_seconds(run) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def verdict(name: str, seconds: float) -> str:
    return "ok" if seconds <= TARGETS_S[name] else f"SLOWER than the {TARGETS_S[name]:g} s target"


def rerun_after_adding_a_point(query: dict[str, str]) -> float:
    at = AppTest.from_file(str(ROOT / "apps" / "confidence_vs_density.py"), default_timeout=120)
    at.query_params.update(query)
    at.run()  # fits and caches the setup
    times = []
    for i in range(REPEATS):
        at.number_input(key="x").set_value(3.0 + i)
        at.number_input(key="y").set_value(3.0)
        at.button(key="add_point").click()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return statistics.median(times)


def main() -> None:
    print(f"{'setup':58s} {'fit (s)':>8s} {'grid (s)':>9s}")
    worst_fit = worst_grid = 0.0
    for setup in SETUPS:
        fitted = fit(setup)
        fit_s = median_seconds(lambda s=setup: fit(s))
        grid_s = median_seconds(lambda f=fitted: score_grid(f))
        worst_fit, worst_grid = max(worst_fit, fit_s), max(worst_grid, grid_s)
        label = f"{setup.dataset}, {setup.classifier}, {setup.density} (k={setup.k}), {setup.space}"
        print(f"{label:58s} {fit_s:8.2f} {grid_s:9.3f}")
    print(f"\nfitting one setup, worst: {worst_fit:.2f} s  ({verdict('fit', worst_fit)})")
    print(f"scoring the grid, worst:  {worst_grid:.3f} s  ({verdict('grid', worst_grid)})")
    for query in ({"data": "moons"}, {"data": "digits", "ood": "novel"}):
        rerun_s = rerun_after_adding_a_point(query)
        print(f"rerun after adding a point ({query['data']}): {1000 * rerun_s:.0f} ms  ({verdict('rerun', rerun_s)})")


if __name__ == "__main__":
    main()
