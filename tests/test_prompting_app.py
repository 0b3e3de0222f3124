"""The prompting lab as a student and a script use it: the `/generate` and `/evaluate` API, clear
errors for bad input, and a browser building a few-shot chain-of-thought prompt."""

import re

import pytest
from gradio_client.exceptions import AppError

from core.prompting.tasks.families import FAMILIES
from tests.conftest import free_port
from tests.run_progress import stop_and_see_it_end

MAX_N_SLIDER = 200  # the evaluation's largest "questions per strategy"


@pytest.fixture(scope="module")
def demo():
    from apps.prompting import demo

    return demo


def test_generate_and_evaluate_through_the_api(gradio_client, demo):
    client = gradio_client(demo)
    prompt = "Q: A coin is heads up. Ann flips it. Is the coin still heads up?\nA: Let's think step by step."
    text = client.predict(prompt, 40, 0.0, 0, api_name="/generate")
    assert isinstance(text, str) and text
    assert client.predict(prompt, 40, 0.0, 0, api_name="/generate") == text  # greedy is deterministic

    result = client.predict("coin_flip", "zero-shot", 6, api_name="/evaluate")
    items = result["items"]
    assert len(items) == 6
    assert result["accuracy"] == sum(i["correct"] for i in items) / 6
    multi_step = FAMILIES["coin_flip"].eval_lengths
    assert all(i["truth"] in ("yes", "no") and i["length"] in multi_step for i in items)
    assert all(i["prompt"].endswith(f"Q: {i['question']}\nA:") for i in items)

    probe = client.predict("labels", 4, 6, api_name="/in_context")
    assert probe["n"] == 6 and probe["chance"] == 0.5 and probe["accuracy"] in {j / 6 for j in range(7)}


BAD_INPUT = [
    (("", 20, 0.0, 0), "the prompt is empty"),
    (("Q: " + "Ann flips it. " * 300, 20, 0.0, 0), r"the prompt is \d+ tokens .* context holds 1024 tokens"),
    (("Q: hi", 20, 5.0, 0), "temperature must be from 0"),
    (("Q: hi", 0, 0.0, 0), "max_new_tokens must be a whole number from 1 to 1024, got 0"),
    (("Q: hi", -1e308, 0.0, 0), r"max_new_tokens must be a whole number from 1 to 1024, got -1e\+308$"),
    ((None, 20, 0.0, 0), "prompt must be text, got None"),
    (({"q": 1}, 20, 0.0, 0), r"prompt must be text, got \{'q': 1\}"),
    (("Q: hi", 20, 0.0, -3), "seed must be a whole number"),
]


def test_bad_input_gets_a_clear_message(gradio_client, demo):
    client = gradio_client(demo)
    for args, message in BAD_INPUT:
        with pytest.raises(AppError, match=message):
            client.predict(*args, api_name="/generate")
    with pytest.raises(AppError, match="strategy must be one of zero-shot, .*, got 'chain'"):
        client.predict("coin_flip", "chain", 5, api_name="/evaluate")
    with pytest.raises(AppError, match=r"strategy must be one of .*, got 'xxxxx.*\.\.\.$"):  # a 1 MB value, cut short
        client.predict("coin_flip", "x" * 1_000_000, 5, api_name="/evaluate")
    with pytest.raises(AppError, match=r"task must be one of coin_flip, .*, got \{\}"):
        client.predict({}, "zero-shot", 5, api_name="/evaluate")
    with pytest.raises(AppError, match="n must be a whole number from 1 to 500"):
        client.predict("coin_flip", "zero-shot", 0, api_name="/evaluate")
    with pytest.raises(AppError, match="word mapping needs k from 1 to 12"):
        client.predict("mapping", 0, 5, api_name="/in_context")
    with pytest.raises(AppError, match="probe must be one of labels, mapping, mapping-new-layout, got 'sums'"):
        client.predict("sums", 2, 5, api_name="/in_context")


def test_few_shot_chain_of_thought_prompt_shows_coloured_tokens(demo, page):
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_label("Few-shot chain-of-thought").check()
        page.get_by_role("button", name="Build prompt").click()
        prompt = page.get_by_label("Prompt (editable)")
        page.wait_for_function(
            "() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('So the answer is'))"
        )
        assert prompt.input_value().count("So the answer is") == 4
        page.get_by_role("button", name="Generate").click()
        tokens = page.locator(".lab-token")
        tokens.first.wait_for(timeout=60_000)
        assert tokens.count() > 5
        assert re.match(r"p = [01]\.\d{3}\ntop 5: ", tokens.first.get_attribute("title"))
        assert "hsl(" in tokens.first.get_attribute("style")
        page.get_by_text(re.compile(r"Extracted answer|No answer found")).wait_for()
        assert page.console_errors == []
    finally:
        demo.close()


def test_stop_ends_a_long_evaluation(demo, page):
    """A student asks for the largest evaluation, watches the question count climb, presses Stop, and it ends with
    the questions answered so far in the table, marked as stopped."""
    from apps.serving import prepare

    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = prepare(demo).launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url + f"?tab=evaluate&strategies=zero-shot&lengths=longer&n={MAX_N_SLIDER}")  # the slowest batches
        run = page.get_by_role("button", name="Run evaluation")
        stop = page.get_by_role("button", name="Stop")
        stop_and_see_it_end(page, run, stop, MAX_N_SLIDER, runs_in="generate_all", timeout_s=90)
        page.get_by_text("Stopped by you.").wait_for()
        asked = page.get_by_role("row", name=re.compile("^Zero-shot")).get_by_role("gridcell").last.inner_text()
        assert 0 < int(asked) < MAX_N_SLIDER  # the questions answered before Stop, not a previous run's
        assert page.console_errors == []
    finally:
        demo.close()


def table_rows(markdown: str, heading: str) -> tuple[dict[str, list[str]], list[str]]:
    """The markdown table under `heading`: first column -> the other cells, and the header."""
    lines = markdown.split(heading, 1)[1].strip().splitlines()
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("|")]
    return {row[0]: row[1:] for row in cells[2:]}, cells[0]


def test_every_chart_of_the_stored_evaluation_draws_every_row_of_its_table():
    from apps.prompting import claim_check

    text, by_k, *by_length = claim_check()
    rows, header = table_rows(text, "### Accuracy against the number of examples")
    lines = {t.name: t for t in by_k.data if not t.name.startswith("chance")}
    assert list(lines) == list(rows)  # the layout never seen included
    for name, line in lines.items():
        cells = {int(h.removeprefix("k = ")): c for h, c in zip(header[2:], rows[name][1:], strict=True) if c}
        assert list(line.x) == list(cells)
        assert [f"{y:.0%}" for y in line.y] == [c.split()[0] for c in cells.values()]
    never_seen = lines["word mapping, a layout never seen (`Ann = fox.`)"]
    assert [f"{y:.0%}" for y in never_seen.y] == ["1%", "0%", "0%"]
    assert len({t.line.color for t in lines.values()}) == len(lines)  # told apart by colour
    _, strategies = table_rows(text, "### Accuracy per strategy")
    for chart in by_length:
        assert {t.name for t in chart.data} <= set(strategies)


def test_a_student_measures_the_new_layout_mapping_and_sees_every_probe_plotted(demo, page):
    """The k boxes follow the probe, so Measure works with the boxes as they come; the chart draws its table's rows,
    and the stored evaluation's chart draws the new layout's near-zero line beside the others."""
    demo.queue()
    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("tab", name="Learning from the prompt").click()
        page.get_by_label("Word mapping in a layout never seen (Ann = fox.)").check()
        boxes = {k: page.get_by_role("checkbox", name=k, exact=True) for k in ("1", "2", "4", "8", "12")}
        boxes["12"].wait_for()
        assert page.get_by_role("checkbox", name="0", exact=True).count() == 0
        assert [k for k, box in boxes.items() if box.is_checked()] == ["2", "4", "8"]
        page.get_by_label("Questions per k").first.fill("10")
        page.get_by_role("button", name="Measure accuracy against k").click()
        page.get_by_role("gridcell", name="25%", exact=True).first.wait_for()  # the chance of guessing one of 4 words
        assert page.get_by_text("leaves nothing to copy").count() == 0
        legend = page.locator(".js-plotly-plot .legendtext")
        name = "Word mapping in a layout never seen (Ann = fox.)"
        legend.filter(has_text=name).first.wait_for()
        assert legend.all_text_contents() == [name, f"chance ({name})"]
        page.get_by_role("tab", name="What the numbers show").click()
        legend.filter(has_text="a layout never seen (`Ann = fox.`)").first.wait_for()
        assert page.console_errors == []
    finally:
        demo.close()


def test_an_evaluation_shows_what_it_answered_so_far_and_marks_a_stopped_run(monkeypatch):
    from apps.prompting import on_evaluate, stopped

    settings = ("coin_flip", ["few-shot"], 50, "multi-step", 4, "bundled", True)
    run = on_evaluate(*settings, progress=None)
    note, table, *_ = next(run)
    assert note.startswith("**Running:**") and table == []  # the previous run's numbers are gone at once
    note, table, *_ = next(run)  # the first batch of 25 questions
    run.close()  # what Stop does to the handler
    assert table == [["Few-shot (answers only)", "48%", 12, 25], ["Chance (most common answer)", "60%", "", ""]]
    assert note == "**Running:** 25 questions of Few-shot (answers only) answered; Stop keeps them."
    assert stopped(note).startswith("**Stopped** by you. The table shows the questions answered until then")

    monkeypatch.setenv("GENAI_TIME_LIMIT_S", "0.001")
    *_, (note, table, *_) = on_evaluate(*settings, progress=None)
    assert note.startswith("**Stopped:** this job ran past the server's time limit of 0.001 s")
    assert table[0][3] == 25  # the batch answered before the limit


def test_the_notes_exemplars_show_their_math_without_latex_dollars():
    from apps.prompting import exemplars_markdown

    shown = exemplars_markdown()
    assert "5 + 6 = 11. The answer is 11." in shown and "$" not in shown


def test_chance_at_one_example_says_why_it_is_certain_and_evaluate_names_its_k():
    from apps.prompting import chance_cell, evaluate_uses

    assert [chance_cell(1.0), chance_cell(0.5)] == ["100% (only one word to copy)", "50%"]
    assert "**k = 6** worked examples for the few-shot strategies" in evaluate_uses("coin_flip", 6)
