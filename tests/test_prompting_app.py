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
    (("Q: hi", 0, 0.0, 0), "max_new_tokens must be from 1"),
    (("Q: hi", 20, 0.0, -3), "seed must be a whole number"),
]


def test_bad_input_gets_a_clear_message(gradio_client, demo):
    client = gradio_client(demo)
    for args, message in BAD_INPUT:
        with pytest.raises(AppError, match=message):
            client.predict(*args, api_name="/generate")
    with pytest.raises(AppError, match="unknown strategy 'chain'"):
        client.predict("coin_flip", "chain", 5, api_name="/evaluate")
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
    """A student asks for the largest evaluation, watches the question count climb, presses Stop, and it ends."""
    from apps.serving import prepare

    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = prepare(demo).launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url + f"?tab=evaluate&strategies=zero-shot&lengths=longer&n={MAX_N_SLIDER}")  # the slowest batches
        run = page.get_by_role("button", name="Run evaluation")
        stop = page.get_by_role("button", name="Stop")
        stop_and_see_it_end(page, run, stop, MAX_N_SLIDER, runs_in="generate_all", timeout_s=90)
        assert page.get_by_text("Chance (most common answer)").count() == 0  # the results table never filled
        assert page.console_errors == []
    finally:
        demo.close()
