"""The tuning lab as a script and a student use it: every endpoint through `gradio_client` (one browser session
per client, so tuned models and rankings carry from call to call), a message naming the parameter for every bad
value each handler can get, tuned weights downloaded and uploaded again after they expired, and a browser in which
a student ranks four answers and runs feedback tuning on the ranking."""

import math
import re
from contextlib import contextmanager
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from playwright.sync_api import expect

from apps.errors import INTERNAL, user_errors
from tests.conftest import free_port
from tests.table_fit import CELL, assert_table_fits

pytestmark = pytest.mark.timeout(1200)  # every test trains a model: tens of seconds on an idle 2-core CPU


@contextmanager
def served(demo):
    """The demo served on a free port while the block runs; its address."""
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def demo():
    from apps.tuning import demo

    return demo


@pytest.mark.slow
def test_rank_then_feedback_tune_with_ppo_and_dpo_side_by_side(gradio_client, demo, one_torch_thread):
    client = gradio_client(demo)
    question, *rest = client.predict("base", 0, 0, api_name="/answers")
    answers = rest[:4]
    assert question.startswith("**Question:**") and "Q: " in question
    assert all(isinstance(a, str) for a in answers)
    assert list(client.predict("base", 0, 0, api_name="/answers")[1:5]) == answers  # same seed, same answers

    with pytest.raises(AppError, match="the ranking is empty"):
        client.predict(None, None, None, None, api_name="/rank")
    with pytest.raises(AppError, match="ties only"):
        client.predict(2, 2, 2, 2, api_name="/rank")
    summary, pairs, reward = client.predict(1, 2, 3, 4, api_name="/rank")
    assert summary.startswith("6 preference pairs so far, from 1 question (rank a second to hold one out).")
    assert len(pairs["data"]) == 6 and reward == "rankings"  # step 3 now tunes on the student's rankings
    assert pairs["data"][0][1:] == [answers[0], answers[1]]  # answer 1 ranked first is preferred over answer 2

    for bad, message in [({"steps": 0}, "Value 0 is less than minimum value 1"), ({"learning_rate": 1.0}, "learning rate"),
                         ({"method": "a2c"}, "'a2c' .* is not in the list of choices"),
                         ({"start_from": "tuned"}, "no instruction tuned model yet: run instruction tuning")]:  # fmt: skip
        args = {"method": "ppo", "reward": "rankings", "steps": 2, "seed": 0, "learning_rate": 3e-4, "kl_coef": 0.1,
                "start_from": "base"} | bad  # fmt: skip
        with pytest.raises(AppError, match=message):
            client.predict(*args.values(), api_name="/feedback_tune")

    summary, curves, times, before_after = client.predict("ppo", "rankings", 2, 0, 3e-4, 0.1, "base",
                                                          api_name="/feedback_tune")  # fmt: skip
    assert summary.startswith("**PPO** in") and "on 6 preference pairs" in summary
    assert "of its training pairs right" in summary  # one ranked question leaves no pairs to hold out
    assert "**On 48 held-out questions**" in summary and "Held-out right answers: " in summary
    assert "Held-out reward-model score: " in summary and "training-batch reward (the reward model's score)" in summary
    assert "n = 48 questions" in summary and any(v in summary for v in (": holds", ": does not hold", ": not enough"))
    assert curves is not None and len(before_after["data"]) == 4
    summary, _, times, _ = client.predict("dpo", "rankings", 2, 0, 3e-4, 0.1, "base", api_name="/feedback_tune")
    assert summary.startswith("**DPO** in")
    assert [row[0] for row in times["data"]] == ["PPO", "DPO"]  # the same preferences, side by side


def test_instruction_tune_then_answer_with_the_tuned_model(gradio_client, demo, one_torch_thread, monkeypatch):
    from core.tuning.sessions import STORE

    client = gradio_client(demo)
    with pytest.raises(AppError, match="no tasks to tune on chosen"):
        client.predict([], 16, 5, 1e-3, False, 0, 1, api_name="/instruction_tune")
    with pytest.raises(AppError, match="learning rate must be a number from"):
        client.predict(["one_word:coin_flip"], 16, 5, 1.0, False, 0, 1, api_name="/instruction_tune")
    with pytest.raises(AppError, match="Value 1000 is greater than maximum value 400"):
        client.predict(["one_word:coin_flip"], 16, 1000, 1e-3, False, 0, 1, api_name="/instruction_tune")
    summary, table, *_ = client.predict(["one_word:coin_flip"], 16, 5, 1e-3, False, 0, 1, api_name="/instruction_tune")
    assert "Tuned on **16 examples**" in summary
    # the claims pool the held-out questions: 1 per task and phrasing, 1 task tuned on, 10 not (2 phrasings each)
    assert "Held-out phrasings of tuned tasks: 0% -> " in summary and "n = 1 questions" in summary
    # golden: the base model already follows "reason first" instructions (step by step: arithmetic is never tuned on)
    assert "Tasks never tuned on: 15% -> " in summary and "n = 20 questions" in summary
    rows = table["data"]
    assert ["one word: coin flip", "tuned on", "tuned on"] == rows[0][:3]
    assert {r[1] for r in rows} == {"tuned on", "held out"} and {r[2] for r in rows} == {"tuned on", "held out"}
    answered = client.predict("tuned", 1, 0, api_name="/answers")
    assert "Q: " in answered[0]
    summary, side = client.predict("one_word:coin_flip", 0, "", api_name="/side_by_side")
    assert [row[:2] for row in side["data"]] == [["base model", "the base model"],
                                                  ["instruction-tuned (SFT)", "this session's"],
                                                  ["feedback-tuned (SFT, then PPO)", "bundled"]]  # fmt: skip
    assert "Reply with a single word.\nQ: A coin is heads up. Bob does not flip it." in summary
    files = client.predict(api_name="/download_weights")
    assert [Path(f).name for f in files] == ["instruction_tuned_model.safetensors"]
    with monkeypatch.context() as later:
        later.setattr(STORE, "ttl_s", -1)  # as if the session's models had outlived their time to live
        with pytest.raises(AppError, match="expired .* upload the weights you downloaded .* run instruction tuning"):
            client.predict("tuned", 1, 0, api_name="/answers")
    restored = client.predict([handle_file(f) for f in files], api_name="/restore_weights")
    assert restored == "Restored the instruction-tuned model."
    assert client.predict("tuned", 1, 0, api_name="/answers") == answered  # the same model, the same answers


def test_cleared_number_boxes_name_their_parameter(gradio_client, demo):
    """A number box the student emptied sends None; the message names the box."""
    client = gradio_client(demo)
    with pytest.raises(AppError, match="question number must be a whole number from 0 to 999, got None"):
        client.predict("base", None, 0, api_name="/answers")
    for rates, name in [((None, 0.1), "learning rate"), ((1e-4, None), "KL coefficient \\(beta\\)")]:
        with pytest.raises(AppError, match=f"{name} must be a number from .*, got None"):
            client.predict("ppo", "correct_concise", 2, 0, *rates, "base", api_name="/feedback_tune")


BAD_VALUES = [None, "abc", "", math.nan, math.inf, -math.inf, 1e308, 10**30, -1, [], {}]
VALID = {  # handler -> valid arguments; the named ones are each replaced by every bad value in turn
    "on_instruction_tune": {"tasks": ["one_word:coin_flip"], "examples": 16, "steps": 5, "learning_rate": 1e-3,
                            "lora": False, "seed": 0, "questions": 1, "session": None},
    "on_answers": {"start_from": "base", "question": 0, "seed": 0, "session": None},
    "on_rank": {"rank_1": 1, "rank_2": 2, "rank_3": 3, "rank_4": 4, "session": "answers"},
    "on_feedback_tune": {"method": "ppo", "reward": "correct_concise", "steps": 2, "seed": 0, "learning_rate": 1e-4,
                         "kl_coef": 0.1, "start_from": "base", "session": None},
    "on_upload": {"weights": ["instruction_tuned_model.safetensors"], "session": None},
    "on_compare": {"steps": 2, "test_questions": 4, "seed": 0},
    "on_side_by_side": {"task": "one_word:coin_flip", "question": 0, "instruction": "", "session": None},
}  # fmt: skip
ACCEPTED = {"instruction": (None, "", "abc")}  # any text is an instruction; empty asks for the held-out phrasing
NAMED = {"tasks": "task", "examples": "tuning examples", "steps": "steps", "learning_rate": "learning rate",
         "lora": "LoRA", "seed": "seed", "questions": "test questions per task", "question": "question number",
         "start_from": "the model that answers", "method": "method", "reward": "reward", "kl_coef": "KL coefficient",
         "weights": "tuned weights", "test_questions": "held-out test questions", "task": "task",
         "instruction": "the instruction"} | {
    f"rank_{i}": f"(rank of answer {i}|ranking)" for i in range(1, 5)}  # fmt: skip


@pytest.mark.parametrize(
    ("handler", "parameter"), [(h, p) for h, args in VALID.items() for p in args if p != "session"]
)
def test_every_bad_value_of_every_parameter_gets_a_message_naming_it(demo, handler, parameter):
    """None (a cleared box), text, NaN, infinities, huge and negative numbers, empty lists and dicts: each, with
    the other parameters valid, gets a message that names the parameter, never the generic one."""
    import apps.tuning
    from core.tuning.sessions import STORE

    valid = dict(VALID[handler])
    if valid.get("session") == "answers":
        valid["session"] = STORE.put(None, answers=("Q: x\nA:", ["a", "b", "c", "d"]))
    for bad in [b for b in BAD_VALUES if not any(b is a or b == a for a in ACCEPTED.get(parameter, ()))]:
        with pytest.raises(gr.Error) as raised, user_errors():  # what `guard` runs every event under
            getattr(apps.tuning, handler)(*(valid | {parameter: bad}).values())
        message = raised.value.message
        assert message != INTERNAL and re.search(NAMED[parameter], message, re.IGNORECASE), (bad, message)


def test_compare_methods_fills_the_notes_table(gradio_client, demo, one_torch_thread):
    client = gradio_client(demo)
    with pytest.raises(AppError, match="Value 500 is greater than maximum value 60"):
        client.predict(500, 4, 0, api_name="/compare_methods")
    notes, measured, reading = client.predict(2, 4, 0, api_name="/compare_methods")
    assert reading.startswith("RLHF reached 0% of the target")  # 2 steps only: the other two reach some of it
    assert [r[0] for r in notes["data"]] == ["Fine-tuning", "Prompt engineering", "RLHF"]
    rows = {r[0]: r for r in measured["data"]}
    assert rows["Prompt engineering"][3] == "0.0%"  # no weight changes
    assert rows["Fine-tuning"][3] != "0.0%" and rows["RLHF"][3] != "0.0%"
    assert rows["Fine-tuning"][1] == "64 labelled examples"


def test_a_student_ranks_answers_and_runs_feedback_tuning(demo, page, one_torch_thread):
    """After ranking, step 3 tunes on the student's rankings; the summary names each reward and each right-answers
    figure by where it was measured; Restore defaults undoes the hacking settings."""
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("tab", name="2. Rank").click()
        page.get_by_label("The base model").check()
        page.get_by_role("button", name="Write answers").click()
        page.get_by_text("Question:").wait_for(timeout=240_000)  # the first click loads torch and the model
        for i, rank in enumerate((2, 1, 4, 3), start=1):
            page.get_by_label(f"Rank of answer {i}").click()
            page.get_by_role("option", name=str(rank), exact=True).last.click()  # the list just opened
        page.get_by_role("button", name="Add my ranking").click()
        page.get_by_text("6 preference pairs so far").wait_for(timeout=30_000)

        page.get_by_role("tab", name="3. RLHF").click()
        reward = page.get_by_label("Reward", exact=True)
        expect(reward).to_have_value("A reward model of my rankings")  # the default once there are rankings
        steps = page.get_by_label("number input for Steps (8 prompts each)")
        steps.fill("2")
        steps.press("Enter")
        page.get_by_role("button", name="Run feedback tuning").click()
        page.get_by_text("PPO in").wait_for(timeout=240_000)
        text = page.locator("body").inner_text()
        assert "on 6 preference pairs" in text and "of its training pairs right" in text
        for named in ("training-batch reward (the reward model's score)", "right answers in the batches",
                      "Held-out reward-model score:", "Held-out right answers:", "Held-out reply length:"):  # fmt: skip
            assert named in text, named
        assert re.search(r"training-batch reward \(the reward model's score\) -?\d+\.\d\d -> -?\d+\.\d\d", text)
        assert re.search(r"Held-out reward-model score: -?\d+\.\d\d -> -?\d+\.\d\d, [+-]\d+\.\d\d \[", text)

        assert_table_fits(page.locator("#before-after"))  # the "after" column whole, not "NO (r"

        kl = page.get_by_label("KL coefficient (beta)")  # the hacking settings, then back
        kl.fill("0.02")
        reward.click()
        page.get_by_role("option", name="A reward model of the rater: Flawed: longer is better").click()
        page.get_by_role("button", name="Restore defaults").click()
        expect(kl).to_have_value("0.1")
        expect(steps).to_have_value("15")
        expect(reward).to_have_value("A reward model of my rankings")
        assert page.console_errors == []
    finally:
        demo.close()


def test_instruction_tuning_shows_both_times_the_next_step_and_whole_labels(demo, page, one_torch_thread):
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        for label, value in (
            ("Tuning examples", "16"),
            ("Steps (batches of 8)", "5"),
            ("Test questions per task", "1"),
        ):
            box = page.get_by_label(f"number input for {label}")
            box.fill(value)
            box.press("Enter")
        page.get_by_role("button", name="Run instruction tuning").click()
        page.get_by_text("Tuned on 16 examples").wait_for(timeout=300_000)
        text = page.locator("body").inner_text()
        assert re.search(r"training \d+ s, answering the test questions before and after \d+ s \(total \d+ s\)", text)
        assert "Next: open 2. Rank" in text
        bars = page.locator("#accuracy-bars .main-svg").first
        assert bars.bounding_box()["height"] >= 700  # 22 rows of bars, 28 px each
        expect(page.get_by_text("one word: coin flip (new phrasing)", exact=True)).to_be_visible()
    finally:
        demo.close()


def test_base_instruction_tuned_and_feedback_tuned_answer_side_by_side(demo, page, one_torch_thread):
    """With no live run, the bundled tuned models answer beside the base model; a student's own instruction is used."""
    with served(demo) as url:
        page.goto(url)
        page.get_by_role("button", name="Base vs tuned: one question, three models").click()
        box = page.get_by_label("Your own instruction (empty: the phrasing never tuned on)")
        expect(box).to_be_editable()  # the accordion has opened and its textbox has mounted
        box.click()  # waits for the box to stop moving: a value typed while the accordion opens can be lost
        box.fill("Answer in one word.")
        box.press("Tab")
        expect(box).to_have_value("Answer in one word.")
        page.get_by_role("button", name="Answer with all three").click()
        answer = page.get_by_text("Right answer:")
        answer.wait_for(timeout=240_000)  # the first click loads torch and three models
        text = answer.locator("xpath=ancestor::div[contains(@class, 'prose')][1]").inner_text()  # its Markdown block
        assert "Answer in one word.\nQ: A coin is heads up. Bob does not flip it. Iris does not flip it." in text, (
            text,
            box.input_value(),
        )
        table = page.locator("#side-by-side")
        cells = [c.strip() for c in table.locator(CELL).all_inner_texts()]  # 4 per row, row by row
        rows = [cells[k : k + 2] for k in range(0, len(cells), 4)]
        assert rows == [["base model", "the base model"], ["instruction-tuned (SFT)", "bundled"],
                        ["feedback-tuned (SFT, then PPO)", "bundled"]], cells  # fmt: skip
        assert_table_fits(table)
        assert page.console_errors == []


def test_every_step_shows_on_a_phone(demo, browser):
    """At a phone's 390 x 844 the four steps are tabs on screen, not items of Gradio's overflow menu."""
    width = 390
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        for name in ("1. SFT", "2. Rank", "3. RLHF", "4. Compare"):
            tab = page.get_by_role("tab", name=name)
            expect(tab).to_be_visible()
            box = tab.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
    finally:
        context.close()
        demo.close()


def test_the_notes_table_fits_and_zero_percent_is_explained(demo, page, one_torch_thread):
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("tab", name="4. Compare").click()
        steps = page.get_by_label("number input for Training steps (SFT; reward model; PPO gets half)")
        steps.fill("2")
        steps.press("Enter")
        questions = page.get_by_label("number input for Held-out test questions")
        questions.fill("4")
        questions.press("Enter")
        page.get_by_role("button", name="Measure the table").click()
        page.get_by_text("Train a baseline, have people rate").wait_for(timeout=300_000)
        fit = assert_table_fits(page.locator("#notes-table"))  # "how" and "when" on screen, wrapped
        assert fit.headers == ["", "what", "how", "when"]
        reading = page.get_by_text("reached 0% of the target").inner_text()  # 2 steps: RLHF does not reach the format
        assert reading.startswith("RLHF reached 0% of the target")  # fine-tuning and the prompt search reach some
        assert "RLHF's reward (correct and concise) pays first" in reading and "not what the method can do" in reading
    finally:
        demo.close()
