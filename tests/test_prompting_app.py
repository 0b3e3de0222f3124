"""The prompting lab as a student and a script use it: the `/generate` and `/evaluate` API, clear
errors for bad input, and a browser building a few-shot chain-of-thought prompt."""

import re
import time
from contextlib import contextmanager

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


def test_the_api_answers_what_the_model_layer_answers(gradio_client, demo):
    """Each endpoint returns what `core.prompting` computes from the same model and inputs, whatever the weights:
    the greedy generation, the evaluation's items graded by `core.prompting.answers`, and the probe's accuracy."""
    from core.prompting.answers import extract, is_correct, with_lead
    from core.prompting.choices import BUNDLED, NAME
    from core.prompting.evaluate import evaluate, held_out_problems, lengths_of, probe_bits
    from core.prompting.generate import generate
    from core.runtime import get_model

    lm = get_model(NAME, BUNDLED)
    client = gradio_client(demo)
    prompt = "Q: A coin is heads up. Ann flips it. Is the coin still heads up?\nA: Let's think step by step."
    text = client.predict(prompt, 40, 0.0, 0, api_name="/generate")
    assert text == generate(lm, prompt, 40, 0.0, 0, 1.0, 0, True).text

    result = client.predict("coin_flip", "zero-shot", 6, api_name="/evaluate")
    problems = held_out_problems("coin_flip", 6, lengths_of("coin_flip", "multi-step"))
    direct = evaluate(lm, problems, "zero-shot", k=4, chat=True)
    items = result["items"]
    assert [i["question"] for i in items] == [p.question for p in problems]
    assert [i["generation"] for i in items] == [i.generation for i in direct.items]
    assert result["accuracy"] == direct.accuracy == sum(i["correct"] for i in items) / 6
    for i in items:
        reply = with_lead(i["prompt"], i["generation"])
        assert i["predicted"] == extract(reply) and i["correct"] == is_correct(reply, i["truth"])
    multi_step = FAMILIES["coin_flip"].eval_lengths
    assert all(i["truth"] in ("yes", "no") and i["length"] in multi_step for i in items)
    assert all(i["prompt"].endswith(f"Q: {i['question']}\nA:") for i in items)

    probe = client.predict("labels", 4, 6, api_name="/in_context")
    assert probe == {"accuracy": probe_bits(lm, "labels", 4, 6).count("1") / 6, "chance": 0.5, "n": 6}
    flipped = client.predict("flipped", 4, 6, api_name="/in_context")
    assert flipped == {"accuracy": 0.5, "chance": 0.5, "n": 6, "keeps_prior": 0.5}  # it answers "no" to all six


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
    with pytest.raises(
        AppError,
        match="probe must be one of labels, labels-new-layout, mapping, mapping-new-layout, flipped, got 'sums'",
    ):
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
        page.goto(url + f"?tab=evaluate&strategies=zero-shot-cot&lengths=longer&n={MAX_N_SLIDER}")  # long chains: slow
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
    lines = markdown.split(heading, 1)[1].split("\n### ", 1)[0].strip().splitlines()
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("|")]
    return {row[0]: row[1:] for row in cells[2:]}, cells[0]


def test_every_chart_of_the_stored_evaluation_draws_every_row_of_its_table():
    from apps.prompting import claim_check
    from core.prompting.claims import MAPPING_ROWS

    text, by_k, *by_length = claim_check()
    rows, header = table_rows(text, "### Accuracy against the number of examples")
    lines = {t.name: t for t in by_k.data if not t.name.startswith("chance")}
    assert list(lines) == list(rows)
    for name, line in lines.items():
        cells = {int(h.removeprefix("k = ")): c for h, c in zip(header[2:], rows[name][1:], strict=True) if c}
        assert list(line.x) == list(cells)
        assert [f"{y:.0%}" for y in line.y] == [c.split()[0] for c in cells.values()]
    assert MAPPING_ROWS.keys() <= lines.keys()  # the layouts never seen included
    assert len({t.line.color for t in lines.values()}) == len(lines)  # told apart by colour
    _, strategies = table_rows(text, "### Accuracy per strategy")
    for chart in by_length:
        assert {t.name for t in chart.data} <= set(strategies)


@contextmanager
def on_the_learning_tab(demo, page):
    """The lab served, a browser on its "Learning from the prompt" tab; the server closed afterwards."""
    demo.queue()
    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("tab", name="Learning from the prompt").click()
        yield
    finally:
        demo.close()


def test_a_student_measures_the_new_layout_mapping_and_sees_every_probe_plotted(demo, page):
    """The k boxes follow the probe, so Measure works with the boxes as they come; the chart draws its table's rows,
    and the stored evaluation's chart draws the new layout's near-zero line beside the others."""
    with on_the_learning_tab(demo, page):
        page.get_by_label("Word mapping, held-out words, layouts never seen").check()
        boxes = {k: page.get_by_role("checkbox", name=k, exact=True) for k in ("1", "2", "4", "8", "12")}
        boxes["12"].wait_for()
        assert page.get_by_role("checkbox", name="0", exact=True).count() == 0
        assert [k for k, box in boxes.items() if box.is_checked()] == ["2", "4", "8"]
        page.get_by_label("Questions per k").first.fill("10")
        page.get_by_role("button", name="Measure accuracy against k").click()
        page.get_by_role("gridcell", name="25%", exact=True).first.wait_for()  # the chance of guessing one of 4 words
        assert page.get_by_text("leaves nothing to copy").count() == 0
        legend = page.locator(".js-plotly-plot .legendtext")
        name = "Word mapping, held-out words, layouts never seen"
        legend.filter(has_text=name).first.wait_for()
        assert legend.all_text_contents() == [name, f"chance ({name})"]
        page.get_by_role("tab", name="What the numbers show").click()
        legend.filter(has_text="word mapping, held-out words, held-out layouts").first.wait_for()
        assert page.console_errors == []


def test_an_evaluation_shows_what_it_answered_so_far_and_marks_a_stopped_run(monkeypatch):
    from apps.prompting import on_evaluate, stopped
    from core.prompting import evaluate

    def in_batches(lm, problems, strategy, k, chat):  # two batches: two answers, then all; every other one right
        items = [
            evaluate.ItemResult(p.question, p.length, p.answer, None, i % 2 == 0, "", "")
            for i, p in enumerate(problems)
        ]
        time.sleep(0.01)  # the first batch takes longer than the 1 ms limit below, however fast the machine
        yield evaluate.Report(problems[0].task, strategy, tuple(items[:2]))
        yield evaluate.Report(problems[0].task, strategy, tuple(items))

    monkeypatch.setattr(evaluate, "evaluate_in_batches", in_batches)
    settings = ("coin_flip", ["few-shot"], 5, "multi-step", 4, "bundled", True)
    problems = evaluate.held_out_problems("coin_flip", 5, evaluate.lengths_of("coin_flip", "multi-step"))
    chance_row = ["Chance (most common answer)", f"{evaluate.chance(problems):.0%}", "", ""]
    run = on_evaluate(*settings, progress=None)
    note, table, *_ = next(run)
    assert note.startswith("**Running:**") and table == []  # the previous run's numbers are gone at once
    note, table, *_ = next(run)  # the first batch
    run.close()  # what Stop does to the handler
    assert table == [["Few-shot (answers only)", "50%", 1, 2], chance_row]
    assert note == "**Running:** 2 questions of Few-shot (answers only) answered; Stop keeps them."
    assert stopped(note).startswith("**Stopped** by you. The table shows the questions answered until then")

    *_, (note, table, *_) = on_evaluate(*settings, progress=None)
    assert note == "" and table == [["Few-shot (answers only)", "60%", 3, 5], chance_row]

    monkeypatch.setenv("GENAI_TIME_LIMIT_S", "0.001")
    *_, (note, table, *_) = on_evaluate(*settings, progress=None)
    assert note.startswith("**Stopped:** this job ran past the server's time limit of 0.001 s")
    assert table[0][3] == 2  # the batch answered before the limit


def test_the_notes_exemplars_show_their_math_without_latex_dollars():
    from core.prompting.pages import exemplars_markdown

    shown = exemplars_markdown()
    assert "5 + 6 = 11. The answer is 11." in shown and "$" not in shown


def test_chance_at_one_example_says_why_it_is_certain_and_evaluate_names_its_k():
    from core.prompting.evaluation_run import evaluate_uses
    from core.prompting.k_curve import chance_cell

    assert [chance_cell(1.0), chance_cell(0.5)] == ["100% (only one word to copy)", "50%"]
    assert "**k = 6** worked examples for the few-shot strategies" in evaluate_uses("coin_flip", 6)


def test_a_reply_is_graded_from_its_last_answer_and_an_answer_only_prompt_lends_its_lead():
    from core.prompting.grading import share_right, verdict

    chain = "Q: Ann flips the coin. Is it heads up?\nA:"
    assert verdict(chain, " Ann flips it once. So the answer is No.", "no") == (
        "Extracted answer: `no`: **right** (ground truth `no`)."
    )
    assert verdict(chain + " The answer is", " yes.", "no") == "Extracted answer: `yes`: **wrong** (ground truth `no`)."
    assert verdict(chain, " yes", "yes") == (
        'No answer found: the reply never says "the answer is". Ground truth: `yes`.'
    )
    assert share_right([True, False, False, True, True]) == 0.6


def test_the_evaluate_tab_lays_out_reports_it_is_given():
    """The table, the chance row, the menu of wrong answers and what one of them opens, from hand-made reports."""
    from core.prompting.evaluate import ItemResult, Report
    from core.prompting.evaluation_run import evaluation_view, wrong_answer

    def item(question, truth, predicted):
        return ItemResult(question, 2, truth, predicted, truth == predicted, f"Q: {question}\nA:", f" {predicted}")

    zero = Report("coin_flip", "zero-shot", (item("a?", "yes", "yes"), item("b?", "no", "yes")))
    few = Report("coin_flip", "few-shot", (item("a?", "yes", None), item("b?", "no", "no"), item("c?", "no", "no")))
    view = evaluation_view("coin_flip", [zero, few], 0.75, "done")
    assert view.note == "done"
    assert view.table == [
        ["Zero-shot", "50%", 1, 2],
        ["Few-shot (answers only)", "67%", 2, 3],
        ["Chance (most common answer)", "75%", "", ""],
    ]
    assert view.wrong == [("Zero-shot #2: b?", "zero-shot:1"), ("Few-shot (answers only) #1: a?", "few-shot:0")]
    assert wrong_answer("few-shot:0", view.reports) == (
        "Ground truth: yes\nExtracted: None\n\n--- prompt ---\nQ: a?\nA:\n\n--- generation ---\n None"
    )
    assert wrong_answer(None, view.reports) == "" and wrong_answer("zero-shot:1", None) == ""


def test_the_k_controls_offer_only_the_k_a_probe_takes():
    from core.prompting.in_context import LABEL_KS, MAX_MAPPING_K, default_ks, k_choices
    from core.prompting.k_curve import check_ks, k_controls

    mapping = k_controls("mapping", 0)
    assert (mapping.choices, mapping.ticked) == (list(k_choices("mapping")), list(default_ks("mapping")))
    assert (mapping.low, mapping.high, mapping.value) == (1, MAX_MAPPING_K, 1)  # k = 0 moves up to the first k
    assert k_controls("labels", MAX_MAPPING_K).value == max(LABEL_KS)  # a mapping's k moves down to the coin flip's
    assert check_ks("labels", [4, 0, 4]) == [0, 4]
    with pytest.raises(ValueError, match="the coin flip takes k from 0 to"):
        check_ks("labels", [MAX_MAPPING_K])
    with pytest.raises(ValueError, match="no worked examples"):
        check_ks("mapping", [])


def test_a_student_writes_a_prompt_with_held_out_answer_words_and_gets_one_of_them_back(demo, page):
    """A prompt of the student's own, in an arrow layout the corpus never writes, with place names it never uses as
    answers: the query's key appeared with `Paris`, and the model answers with one of the prompt's words but not
    that one (golden: greedy decoding, `Tokyo`): it reads which words a prompt answers with, not yet reliably which
    key each belongs to (a word mapping in held-out layouts: about half right, README)."""
    prompt = "cat -> Paris\ndog -> Tokyo\nowl -> Paris\nfox -> Tokyo\nbee -> Paris\ncow -> Tokyo\nbee ->"
    with on_the_learning_tab(demo, page):
        page.get_by_label("Your few-shot prompt").fill(prompt)
        page.get_by_role("button", name="Measure my prompt").click()
        answer = page.get_by_text("The model's answer to your last line:")
        answer.wait_for()
        assert "The model's answer to your last line: Tokyo." in answer.inner_text()
        assert "your answer words: Paris, Tokyo." in page.locator("p", has_text="Your examples put").inner_text()
        page.get_by_text("Leave-one-out on your 6 examples:").wait_for()
        assert page.console_errors == []


def test_the_flipped_curve_shows_how_often_the_model_keeps_its_prior():
    """Golden values of the bundled model on the first 10 flipped probes: with examples it answers "no" to every
    question, so it follows on half of them and gives the coin's true side on the other half; with none it gives the
    true side every time."""
    from core.prompting.k_curve import PRIOR_LINE, PROBE_NAMES, k_curve

    curve = k_curve("flipped", [0, 4], 10)
    lines = {t.name: list(t.y) for t in curve.chart.data if not t.name.startswith("chance")}
    assert lines == {PROBE_NAMES["flipped"]: [0.0, 0.5], PRIOR_LINE: [1.0, 0.5]}
    assert [row[:2] for row in curve.rows] == [[0, "0%"], [4, "50%"]]
    assert not curve.chart.layout.shapes  # flipped labels have no target line
    assert curve.chart.layout.yaxis.title.text == "share of replies"
