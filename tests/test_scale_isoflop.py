"""IsoFLOP profiles (Hoffmann et al. 2022, approach 2): the runs a budget plans, the parabola's vertex with its
Fieller interval, the pooled tokens per parameter, and the CLI at toy scale."""

import json
import math

import numpy as np
import pytest

from core.scale import isoflop
from core.scale.isoflop_fit import compared, fieller, pooled_ratio, profile


def parabola(budget: float, vertex: float, noise: float, seed: int = 0):
    """Five sizes a factor 2.5 apart around 10^vertex, loss 3 + 0.8 (x - vertex)^2 plus noise."""
    rng = np.random.default_rng(seed)
    x = vertex + np.log10(2.5) * np.arange(-2, 3)
    return budget, 10**x, 3 + 0.8 * (x - vertex) ** 2 + noise * rng.standard_normal(5)


def test_the_vertex_of_a_clean_profile_is_the_loss_minimising_size_and_its_ratio():
    fit = profile(*parabola(1e12, 5.0, noise=0.002))
    assert fit.optimum.effect == pytest.approx(5.0, abs=0.01)
    assert fit.optimum.low < 5.0 < fit.optimum.high and fit.optimum.high - fit.optimum.low < 0.1
    assert fit.ratio.effect == pytest.approx(1e12 / (6 * 1e10), rel=0.05)  # C / (6 N*^2): 16.7 tokens each
    assert fit.ratio.low < fit.ratio.effect < fit.ratio.high


def test_a_flat_or_noisy_profile_claims_no_optimum_and_says_why():
    noisy = profile(*parabola(1e12, 5.0, noise=0.5, seed=3))
    assert noisy.optimum is None and noisy.ratio is None
    assert "uncertain" in noisy.why_not or "no minimum" in noisy.why_not
    falling = profile(1e12, [1e4, 1e5, 1e6, 1e7], [4.0, 3.5, 3.0, 2.5])
    assert falling.optimum is None


def test_fieller_matches_its_definition_at_the_bounds():
    b, c, cov, q = -8.0, 0.8, np.array([[0.04, -0.004], [-0.004, 0.0005]]), 2.0
    low, high = fieller(b, c, cov, q)
    for x in (low, high):  # at a bound, the t statistic of b + 2 c x equals the quantile
        var = cov[0, 0] + 4 * x * cov[0, 1] + 4 * x * x * cov[1, 1]
        assert (b + 2 * c * x) ** 2 == pytest.approx(q * q * var)
    assert low < -b / (2 * c) < high
    assert fieller(b, 0.01, cov, q) is None  # curvature within its error: unbounded


def test_budgets_with_one_ratio_pool_to_it():
    fits = [profile(*parabola(c, 0.5 * math.log10(c / 120), noise=0.002, seed=i)) for i, c in enumerate([1e12, 1e13])]
    assert [f.ratio.effect for f in fits] == pytest.approx([20, 20], rel=0.05)  # N* = sqrt(C / 120): 20 each
    ratio, p = pooled_ratio(fits)
    assert ratio.effect == pytest.approx(20, rel=0.05) and ratio.low < 20 < ratio.high
    assert p > 0.05
    assert compared(ratio).startswith("Chinchilla's ~20 is inside it")


def test_a_profile_needs_four_sizes():
    with pytest.raises(ValueError, match="at least 4 sizes"):
        profile(1e12, [1e4, 1e5, 1e6], [3.0, 2.9, 3.0])


def test_the_plan_spends_each_budget_and_the_cli_leaves_out_runs_too_short(tmp_path):
    runs = isoflop.plan([1e12], ["w16-d1"], {"w16-d1": 35_760}, tokens_per_step=2048)
    assert runs == [{"budget": 1e12, "member": "w16-d1", "parameters": 35_760, "steps": 2276}]
    out = tmp_path / "isoflop.json"
    budget = 6 * 35_760 * 64 * 200  # the smallest member gets exactly MIN_STEPS steps of 64 tokens
    argv = ["--budgets", str(budget), "--members", "w16-d1,w32-d2,w64-d3", "--context", "64", "--batch-size", "1"]
    result = isoflop.main([*argv, "--out", str(out)])
    assert json.loads(out.read_text()) == result
    made = [run for run in result["runs"] if "loss" in run]
    assert [run["member"] for run in made] == ["w16-d1"]
    assert made[0]["steps"] == 200 and made[0]["tokens"] == 200 * 64
    assert made[0]["flops"] == pytest.approx(budget)
    assert 0 < made[0]["loss"] < math.log(2048) + 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--budgets", "big", "--members", "w16-d1,w32-d2,w64-d3"], "--budgets takes FLOP counts"),
        (["--budgets", "-1", "--members", "w16-d1,w32-d2,w64-d3"], "--budgets must be positive"),
        (["--budgets", "1e12", "--members", "w16-d1,w32-d2"], "at least 3 ladder members"),
    ],
)
def test_bad_arguments_say_what_to_do(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit):
        isoflop.main([*argv, "--out", str(tmp_path / "x.json")])
    assert message in capsys.readouterr().err


def synthetic_runs(budgets=(1e12, 4e12)) -> dict:
    """Runs whose losses lie on parabolas with the minimum at N* = sqrt(C / 120): 20 tokens per parameter."""
    runs = []
    for i, budget in enumerate(budgets):
        _, sizes, losses = parabola(budget, 0.5 * math.log10(budget / 120), noise=0.002, seed=i)
        runs += [{"budget": budget, "parameters": n, "loss": loss} for n, loss in zip(sizes, losses, strict=True)]
    runs.append({"budget": 4e12, "parameters": 5e6, "steps": 3})  # too short: left out, no loss
    return {"runs": runs}


def test_the_chinchilla_tab_shows_our_ratio_where_it_was_measured(tmp_path):
    from apps import scale

    path = tmp_path / "isoflop.json"
    path.write_text(json.dumps(synthetic_runs()))
    plot, told = scale.isoflop_page(path)
    assert plot.visible
    assert "Our ratio: 20." in told or "Our ratio: 19." in told
    assert told.count("FLOPs: loss-minimising size") == 2
    assert "Chinchilla's ~20 is inside it" in told
    figure = scale.measured_isoflop(path, path.stat().st_mtime)[0]
    assert sum(trace.marker.symbol == "star" for trace in figure.data) == 2


def test_without_runs_the_chinchilla_tab_says_our_ratio_was_not_measured(tmp_path):
    from apps import scale

    plot, told = scale.isoflop_page(tmp_path / "isoflop.json")
    assert not plot.visible
    assert "Not measured" in told and "python -m core.scale.isoflop" in told


def test_in_a_browser_the_chinchilla_tab_says_our_own_ratio_was_not_measured(suite_server, page):
    from playwright.sync_api import expect

    page.goto(f"{suite_server.base}/scale/?tab=chinchilla")
    expect(page.get_by_text("Our own ratio needs IsoFLOP profiles").first).to_be_visible(timeout=60_000)
    assert page.console_errors == []
