"""Emergence, measured on our own ladder: the sharp-or-smooth verdict on synthetic data, the abilities CLI on a tiny
ladder, and the scale demo's tab pointed at it."""

import json
import math

import gradio as gr
import numpy as np
import pytest

from core.scale import abilities, ladder, ladder_files
from core.scale.emergence_report import member_table, story, verdict_lines
from core.scale.sharpness import CHANCE, FLAT, SHARP, SMOOTH, UNDECIDED, describe, judge_counts, judge_scores

PARAMETERS = [35_760, 90_784, 282_048, 639_840, 1_053_824, 2_188_320, 3_972_288]  # the ladder's members
N = [200] * 7
STEP = [4, 4, 6, 4, 120, 124, 122]  # 2% up to 0.64 M, about 61% from 1.05 M on
SMOOTH_COUNTS = [round(200 / (1 + math.exp(3 - i))) for i in range(7)]  # logistic: 9, 24, 54, 100, 146, 176, 191
FLAT_COUNTS = [60, 64, 56, 62, 58, 60, 60]  # about 30% at every size


def test_a_clear_step_between_two_adjacent_members_is_called_sharp():
    verdict = judge_counts(PARAMETERS, STEP, N)
    assert verdict.shape == SHARP
    assert verdict.step.threshold == 3  # between w96-d4 and w128-d4
    assert verdict.delta_aic == pytest.approx(152.17, abs=0.05)
    assert verdict.vuong_p < 1e-6
    line = describe("exact match", verdict, PARAMETERS, [k / 200 for k in STEP])
    assert line.startswith("exact match rises from 2% to 60% between 0.64 M and 1.05 M parameters: sharp")
    assert "ΔAIC = +152.2" in line


def test_a_smooth_logistic_rise_is_called_smooth_with_no_threshold():
    verdict = judge_counts(PARAMETERS, SMOOTH_COUNTS, N)
    assert verdict.shape == SMOOTH
    assert verdict.delta_aic < -100 and verdict.vuong_z < 0
    line = describe("exact match", verdict, PARAMETERS, [k / 200 for k in SMOOTH_COUNTS])
    assert "rises smoothly with log(parameters), from 4% at 0.04 M to 96% at 3.97 M" in line
    assert "no threshold seen" in line


def test_a_flat_rate_is_no_change_with_size_and_not_enough_evidence():
    verdict = judge_counts(PARAMETERS, FLAT_COUNTS, N)
    assert verdict.shape == FLAT
    assert verdict.change_p == pytest.approx(0.837, abs=0.002)
    line = describe("exact match", verdict, PARAMETERS, [k / 200 for k in FLAT_COUNTS])
    assert "no change with size seen" in line and "not enough evidence" in line


def test_two_members_cannot_tell_a_step_from_a_smooth_rise():
    """With two sizes both models fit exactly: a change is seen, its shape cannot be."""
    verdict = judge_counts(PARAMETERS[:2], [10, 150], [200, 200])
    assert verdict.change_p < 1e-6
    assert verdict.shape == UNDECIDED and verdict.vuong_p == 1.0
    assert "not enough evidence to call it sharp or smooth" in describe(
        "exact match", verdict, PARAMETERS[:2], [0.05, 0.75]
    )


@pytest.mark.parametrize(
    "means,shape",
    [
        ([-8, -8, -8, -8, -3, -3, -3], SHARP),
        ([-8, -7, -6, -5, -4, -3, -2], SMOOTH),  # linear in the member's rank, about linear in log N
        ([-5] * 7, FLAT),
        ([-200, -150, -90, -75, -68, -65, -64], SMOOTH),  # a gain that slows with size (the ladder's arithmetic)
    ],
)
def test_continuous_scores_get_the_gaussian_verdict(means, shape):
    rng = np.random.default_rng(0)
    verdict = judge_scores(PARAMETERS, [rng.normal(m, 2.0, 200) for m in means])
    assert verdict.shape == shape


def test_exact_match_no_member_of_which_beats_guessing_is_at_chance_whatever_its_shape():
    """The ladder's arithmetic at 2.5 M tokens: 0% up to 0.28 M parameters, then 2-6% where guessing scores 4.5%."""
    counts = [0, 0, 0, 7, 12, 5, 6]
    assert judge_counts(PARAMETERS, counts, N).shape == SHARP  # the fits alone call the rise from 0% a step
    verdict = judge_counts(PARAMETERS, counts, N, chance=0.045)
    assert verdict.shape == CHANCE and verdict.best_above_chance_p == 1.0  # Holm: 7 x 0.17, capped at 1
    line = describe("exact match", verdict, PARAMETERS, [k / 200 for k in counts])
    assert line.startswith("exact match is 0% to 6% from 0.04 M to 3.97 M parameters, no member above guessing")
    assert judge_counts(PARAMETERS, STEP, N, chance=0.02).shape == SHARP  # 61% beats 2% guessing: the step stands


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: judge_counts([2e6, 1e6], [1, 2], [10, 10]), "smallest first"),
        (lambda: judge_counts([1e6, 2e6], [11, 2], [10, 10]), "0 to n"),
        (lambda: judge_scores([1e6, 2e6], [[1.0, 2.0], [float("nan"), 1.0]]), "finite"),
        (lambda: judge_counts([1e6, 2e6], [1, 2], [10, 10], chance=1.5), "chance must be a rate"),
    ],
)
def test_bad_data_says_what_to_give(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.fixture(scope="module")
def toy(tmp_path_factory, one_torch_thread):
    """Two tiny members (one training step each) at the full context, measured on 4 items per cell."""
    out = tmp_path_factory.mktemp("toy-ladder")
    argv = ["--tokens", "640", "--out", str(out), "--members", "w16-d1,w32-d2", "--batch-size", "2", "--threads", "1"]
    ladder.main(argv)
    abilities.main(["--ladder", str(out), "--n", "4", "--workers", "1"])
    return out


def test_the_cli_scores_every_member_on_every_ability_under_three_metrics(toy):
    record = json.loads((toy / ladder_files.RESULTS).read_text())
    assert record["n"] == 4 and record["members"] == ["w16-d1", "w32-d2"]
    assert list(record["abilities"]) == list(ladder_files.ABILITIES)
    assert record["abilities"]["labels"]["chance"] == 0.5 and record["abilities"]["mapping"]["chance"] == 0.25
    for ability in record["abilities"].values():
        for cell in ability["members"].values():
            assert len(cell["right"]) == 4 and set(cell["right"]) <= {"0", "1"}
            assert len(cell["logprob"]) == 4 and all(v < 0 and math.isfinite(v) for v in cell["logprob"])
            assert len(cell["edit"]) == 4 and all(isinstance(v, int) and v >= 0 for v in cell["edit"])


def test_the_right_reply_scores_zero_edit_distance_and_is_exact():
    item = abilities.items_of("arithmetic-direct", 1)[0][0]
    assert item.reference == f" The answer is {item.truth}."
    assert abilities.right("arithmetic-direct", item, item.reference)
    probe = abilities.items_of("mapping", 1)[0][0]
    assert abilities.right("mapping", probe, probe.reference + "\n") and not abilities.right("mapping", probe, " no")


def test_the_report_reads_a_row_and_a_verdict_from_the_measurements(toy):
    members, results = ladder_files.read_ladder(toy), ladder_files.read_results(toy)
    table = member_table(members, results)
    assert list(table["Member"]) == ["w16-d1", "w32-d2"]
    assert table.loc[0, "Parameters"] == "35,760"
    assert "[" in table.loc[0, "labels exact"] and "[" in table.loc[1, "mapping log p"]
    for metric in ladder_files.METRICS:
        assert len(verdict_lines(members, results, metric)) == len(ladder_files.ABILITIES)
    assert "0.04 M to 0.09 M parameters (2 members, 4 held-out items per cell)" in story(members, results)


def test_the_cli_refuses_a_folder_without_a_ladder_and_a_tiny_n(tmp_path, capsys):
    with pytest.raises(SystemExit):
        abilities.main(["--ladder", str(tmp_path)])
    assert "no ladder.json" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        abilities.main(["--ladder", str(tmp_path), "--n", "1"])
    assert "--n must be from 2" in capsys.readouterr().err


def _components(blocks: gr.Blocks, kind) -> list:
    return [b for b in blocks.blocks.values() if isinstance(b, kind)]


def test_the_tab_pointed_at_a_toy_ladder_shows_a_row_per_member_and_the_curves(toy):
    from apps.scale import emergence_page, emergence_tab, emergence_view

    with gr.Blocks() as page:
        emergence_tab(toy)
    plot = next(p for p in _components(page, gr.Plot))
    assert plot.visible
    curves, verdicts, told, members = emergence_page(toy)  # as the page opens
    assert list(members.iloc[:, 0]) == ["w16-d1", "w32-d2"]
    assert len(curves.data) > 0 and len(verdicts.splitlines()) == 4 and told
    figure, lines = emergence_view(toy, "log-probability", "FLOPs")
    assert figure.layout.xaxis.type == "log" and len(lines.splitlines()) == 4
    with pytest.raises(gr.Error, match="choose a metric"):
        emergence_view(toy, "vibes", "FLOPs")


def test_without_a_ladder_the_tab_names_the_command_and_shows_nothing_made_up(tmp_path):
    from apps.scale import emergence_page, emergence_tab

    with gr.Blocks() as page:
        emergence_tab(tmp_path)
    notes = " ".join(m.value or "" for m in _components(page, gr.Markdown))
    assert "python -m core.scale.ladder --tokens N --out core/scale/ladder_models" in notes
    assert not any(p.visible for p in _components(page, gr.Plot))
    assert not any(d.visible for d in _components(page, gr.Dataframe) if d.label == "Members")
    assert emergence_page(tmp_path) == (None, "", "", None)


def test_a_typed_prompt_gets_one_answer_per_member_smallest_first(toy):
    from apps.scale import ask

    table = ask(toy, "Q: Enzo\nA: dax\n\nQ: Jade\nA: 404\n\nQ: Enzo\nA:", "dax")
    assert list(table["Member"]) == ["w16-d1", "w32-d2"]
    assert all(v < 0 for v in table["log p(right answer)"])
    assert set(table["Right"]) <= {"yes", "no"}


def test_a_member_shipped_as_measurements_only_is_named_and_skipped(toy, tmp_path):
    import shutil

    from apps.scale import ask
    from core.scale.ask import NOT_SHIPPED

    partial_ladder = tmp_path / "ladder"
    shutil.copytree(toy, partial_ladder)
    shutil.rmtree(partial_ladder / "w32-d2")  # its weights too large to ship; ladder.json still lists it
    table = ask(partial_ladder, "Q: Enzo\nA: dax\n\nQ: Enzo\nA:", "dax")
    assert list(table["Member"]) == ["w16-d1", "w32-d2"]
    assert table["Greedy answer"].iloc[1] == NOT_SHIPPED and table["log p(right answer)"].iloc[0] < 0


@pytest.mark.parametrize(
    "prompt,answer,message",
    [
        ("   ", "dax", "the prompt is empty"),
        ("Q: Enzo\nA:", "", "the right answer is empty"),
        ("Q: " + "word " * 20_000 + "\nA:", "dax", "shorten it"),
    ],
)
def test_bad_input_to_the_prompt_box_says_what_to_do(toy, prompt, answer, message):
    from apps.scale import ask

    with pytest.raises(gr.Error, match=message):
        ask(toy, prompt, answer)


def test_deep_links_restore_the_tab_and_the_metric():
    from apps.scale import demo

    tab_parse, metric_parse = demo.link_params["tab"][1], demo.link_params["metric"][1]
    assert tab_parse("emergence") == "emergence"
    assert metric_parse("log-probability") == "log-probability"
    with pytest.raises(ValueError, match="choose one of"):
        metric_parse("accuracy")


def test_in_a_browser_the_tab_shows_the_shipped_ladder_and_a_link_opens_it(suite_server, page):
    """The shipped ladder's verdicts and table appear when the tab is opened, and on a page opened by a link to it."""
    from playwright.sync_api import expect

    page.goto(f"{suite_server.base}/scale/")
    page.get_by_role("tab", name="Emergence, measured here").click()
    expect(page.get_by_text("no member above guessing").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("w16-d1").first).to_be_visible()
    linked = page.context.new_page()
    linked.goto(f"{suite_server.base}/scale/?tab=emergence&metric=log-probability")
    expect(linked.get_by_text("rises smoothly with log(parameters)").first).to_be_visible(timeout=60_000)
    expect(linked.get_by_label("log-probability")).to_be_checked()
    assert page.console_errors == []
