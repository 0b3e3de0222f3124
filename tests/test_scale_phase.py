"""The phase change inside one run (Olsson et al. 2022): the in-context score, the prefix-matching score, when a
curve changes, the verdict on "together", the CLI at toy scale and the scale demo's tab."""

import json
import math

import numpy as np
import pytest
import torch

from core.scale import phase_change, phase_report
from core.scale.phase_report import APART, NO_CHANGE, TOGETHER, UNCLEAR, crossing, judge, read_run
from core.stats.verdict import Estimate


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from core.prompting.choices import MODEL_DIR

    return AutoTokenizer.from_pretrained(MODEL_DIR)


def tiny_model(vocab_size: int, eos_id: int):
    from transformers import LlamaForCausalLM

    from core.prompting.train import model_config

    torch.manual_seed(0)
    config = model_config(
        vocab_size, eos_id, hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=2
    )
    return LlamaForCausalLM(config).eval()


def test_prefix_scores_read_the_attention_to_the_token_after_the_first_copy():
    run, heads = 4, 2
    t = 1 + 2 * run
    induction = torch.zeros(1, heads, t, t)  # head 0 attends where an induction head does, head 1 to itself
    for q in range(1 + run, t):
        induction[0, 0, q, q - run + 1] = 1.0
        induction[0, 1, q, q] = 1.0
    scores = phase_change.prefix_scores([induction, induction.flip(1)], run)  # (1, layers, heads)
    assert scores.tolist() == [[[1.0, 0.0], [0.0, 1.0]]]


def test_uniform_attention_scores_one_over_the_keys_it_can_see(tokenizer):
    model = tiny_model(len(tokenizer), tokenizer.eos_token_id)
    for layer in model.model.layers:  # zero queries: every score is 0, so attention spreads evenly
        torch.nn.init.zeros_(layer.self_attn.q_proj.weight)
    probes = phase_change.induction_probes(tokenizer, 3, seed=0, run=5)
    assert probes.shape == (3, 11)
    assert probes[:, 1:6].tolist() == probes[:, 6:].tolist()
    assert all(len(set(row[1:6])) == 5 for row in probes.tolist())  # distinct tokens: one earlier copy each
    expected = sum(1 / (q + 1) for q in range(6, 10)) / 4  # the query at position q sees q + 1 tokens
    scores = np.array(phase_change.prefix_matching(model, probes))
    assert scores.shape == (3, 2, 2)
    assert np.allclose(scores, expected, atol=1e-6)
    assert model.config._attn_implementation != "eager"  # the model is given back as it was


def test_a_model_that_predicts_nothing_has_the_uniform_loss_and_no_in_context_gain(tokenizer):
    model = tiny_model(len(tokenizer), tokenizer.eos_token_id)
    torch.nn.init.zeros_(model.model.embed_tokens.weight)  # tied with the output layer: every logit is 0
    documents = phase_change.evaluation_documents(tokenizer, 2, seed=0)
    assert documents.shape == (2, phase_change.LATE + phase_change.WINDOW + 2)
    assert (documents[:, 0] == tokenizer.eos_token_id).all()
    icl, loss = phase_change.document_losses(model, documents)
    assert icl == pytest.approx([0.0, 0.0], abs=1e-5)
    assert loss == pytest.approx([math.log(len(tokenizer))] * 2, abs=1e-4)


def test_measurements_are_closest_early_and_include_the_last_step():
    assert phase_change.measurement_steps(35) == [0, 10, 20, 30, 35]
    marks = phase_change.measurement_steps(1200)
    assert marks[:3] == [0, 10, 20] and marks[-2:] == [1150, 1200]
    assert 310 not in marks and 325 in marks and 625 not in marks and 650 in marks


def test_crossing_reads_the_share_of_the_change_between_measurements():
    steps = np.array([0.0, 10, 20, 30])
    assert crossing(steps, np.array([0.0, 0.0, 1.0, 1.0]), 0.5) == 15.0
    assert crossing(steps, np.array([0.0, 0.0, 1.0, 1.0]), 0.1) == pytest.approx(11.0)
    assert crossing(steps, np.array([2.0, 1.0, 0.0, 0.0]), 0.5) == 10.0  # a fall is a change too
    assert math.isnan(crossing(steps, np.array([1.0, 1.0, 1.0, 1.0]), 0.5))


def test_the_steepest_stretch_is_found_after_the_warm_up_and_in_the_curves_direction():
    steps = np.array([0.0, 50, 100, 200, 300, 400, 500])
    falls = np.array([5.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0])  # the warm-up fall is larger, but comes before step 100
    assert phase_report.steepest(steps, falls, direction=-1) == 250.0  # the stretch 200-300
    assert phase_report.steepest(steps, -falls, direction=1) == 250.0
    assert math.isnan(phase_report.steepest(np.array([0.0, 50]), np.array([1.0, 0.0]), direction=-1))


@pytest.mark.parametrize(
    "low, high, verdict",
    [(710.0, 800.0, TOGETHER), (300.0, 400.0, APART), (900.0, 950.0, APART), (650.0, 800.0, UNCLEAR)],
)
def test_the_jump_is_together_inside_the_heads_window_apart_wholly_outside_it(low, high, verdict):
    assert judge(Estimate((low + high) / 2, low, high, 64), window=(700.0, 880.0)) == verdict
    assert judge(Estimate((low + high) / 2, low, high, 64), window=(700.0, 880.0), changed=False) == NO_CHANGE


def synthetic_run(icl_at: float, heads_at: float, seed: int = 0, noise: float = 0.02, rise: float = 0.78) -> dict:
    """A run whose in-context score falls by 0.5 nats around `icl_at` and whose head 1.2 rises from 0.02 by
    `rise` around `heads_at` (each a steep logistic), with per-item noise."""
    rng = np.random.default_rng(seed)
    steps = phase_change.measurement_steps(1000)
    measurements = []
    for step in steps:
        fall = 0.5 / (1 + math.exp(-(step - icl_at) / 20))
        heads = 0.02 + noise * rng.random((32, 2, 3))
        heads[:, 1, 2] += rise / (1 + math.exp(-(step - heads_at) / 20))
        measurements.append(
            {
                "step": step,
                "icl": list(-fall + noise * rng.standard_normal(32)),
                "loss": list(5 - 2 * fall + noise * rng.standard_normal(32)),
                "heads": heads.tolist(),
            }
        )
    return {"seed": seed, "steps": 1000, "measurements": measurements}


def test_a_run_whose_two_curves_jump_at_one_step_is_together_and_one_apart_is_apart():
    same = read_run(synthetic_run(800, 800))
    assert same.icl.jump.effect == pytest.approx(800, abs=25)
    assert same.heads.window[0] < 800 < same.heads.window[1]
    assert same.strongest == "1.2" and same.heads.induction
    assert same.verdict == TOGETHER
    assert "head 1.2 becomes an induction head" in phase_report.verdict_line(same)
    apart = read_run(synthetic_run(350, 800))
    assert apart.icl.jump.effect == pytest.approx(350, abs=25)
    assert apart.verdict == APART
    assert "apart" in phase_report.verdict_line(apart)
    assert phase_report.summary([same, apart]) == (
        "In-context learning and the induction head change together at 1 of 2 seeds."
    )


def test_a_run_without_an_induction_head_has_nothing_to_compare():
    run = read_run(synthetic_run(800, 800, rise=0.1))  # the head moves, but most of its attention stays elsewhere
    assert run.heads.changed and not run.heads.induction
    assert run.verdict == NO_CHANGE
    assert "no induction head within 1000 steps" in phase_report.verdict_line(run)


def test_the_bands_are_ninety_five_percent_bootstrap_intervals_around_the_means():
    run = read_run(synthetic_run(800, 800, noise=0.2))
    assert (run.icl.low <= run.icl.mean).all() and (run.icl.mean <= run.icl.high).all()
    width = float(np.median(run.icl.high - run.icl.low))
    assert width == pytest.approx(2 * 1.96 * 0.2 / math.sqrt(32), rel=0.25)  # the mean of 32 items' noise


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("phase") / "seed-0.json"
    argv = ["--steps", "3", "--batch-size", "1", "--documents", "2", "--probes", "2", "--keep", "2", "--out", str(out)]
    return phase_change.main(argv), out


def test_the_cli_measures_the_recipe_from_scratch_and_keeps_the_asked_checkpoints(toy_run):
    from transformers import AutoModelForCausalLM

    result, out = toy_run
    assert json.loads(out.read_text()) == result
    assert result["recipe"] == "w160-d6" and result["parameters"] == 2_188_320
    assert result["tokens"] == 3 * 1024 and result["flops"] == 6 * 2_188_320 * 3 * 1024
    assert [m["step"] for m in result["measurements"]] == [0, 2, 3]
    first = result["measurements"][0]
    assert len(first["icl"]) == len(first["loss"]) == 2
    assert np.array(first["heads"]).shape == (2, 6, 5)  # probes, layers, heads
    # golden: seed 0's first two held-out documents before training and after 3 steps of one 1024-token row
    assert first["loss"] == pytest.approx([7.64762, 7.73015], abs=2e-3)
    assert result["measurements"][-1]["loss"] == pytest.approx([7.63565, 7.70042], abs=2e-3)
    assert result["measurements"][-1]["icl"] == pytest.approx([0.03736, -0.15117], abs=2e-3)
    kept = AutoModelForCausalLM.from_pretrained(out.parent / "phase-step-2")
    assert kept.dtype == torch.float16


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--steps", "0"], "--steps must be a positive whole number"),
        (["--steps", "5", "--keep", "two"], "--keep takes step numbers"),
        (["--steps", "5", "--keep", "9"], "--keep steps must lie between 0 and --steps"),
    ],
)
def test_bad_arguments_say_what_to_do(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit):
        phase_change.main([*argv, "--out", str(tmp_path / "x.json")])
    assert message in capsys.readouterr().err


def test_the_tab_shows_the_curves_and_the_verdict_of_every_seed(tmp_path):
    from apps import scale

    for seed in (0, 1):
        (tmp_path / f"seed-{seed}.json").write_text(json.dumps(synthetic_run(800, 800, seed=seed)))
    figure, told = scale.phase_page(tmp_path)
    assert "together at 2 of 2 seeds" in told and told.count("Seed ") == 2
    assert len(figure.data) == 2 * 3 * 2  # per seed and panel: a band and a line
    assert {trace.name for trace in figure.data if trace.showlegend} == {"seed 0", "seed 1"}


def test_without_runs_the_tab_names_the_command(tmp_path):
    from apps import scale

    figure, told = scale.phase_page(tmp_path)
    assert figure is None and "Not measured yet" in told and "python -m core.scale.phase_change" in told


def test_a_link_opens_the_phase_tab():
    from apps.scale import demo

    assert demo.link_params["tab"][1]("phase") == "phase"


def test_in_a_browser_the_phase_tab_shows_the_shipped_runs_when_opened_or_linked(suite_server, page):
    from playwright.sync_api import expect

    page.goto(f"{suite_server.base}/scale/")
    page.get_by_role("tab", name="Inside one run").click()
    expect(page.get_by_text("change together at").first).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot:visible")).to_have_count(1)  # the other tabs' plots are hidden
    expect(page.locator(".js-plotly-plot:visible .gtitle")).to_contain_text("Inside one run")
    linked = page.context.new_page()
    linked.goto(f"{suite_server.base}/scale/?tab=phase")
    expect(linked.get_by_text("change together at").first).to_be_visible(timeout=60_000)
    assert page.console_errors == []
