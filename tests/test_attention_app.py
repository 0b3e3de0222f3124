"""The Transformer explorer page: its API answers /attention and /next_token, and a student who types a
sentence sees the attention map."""

import json

import pytest

from tests.conftest import free_port


@pytest.fixture(scope="module")
def demo():
    from apps.transformer import demo

    return demo


def test_attention_and_next_token_through_the_api(gradio_client, demo):
    client = gradio_client(demo)
    status, tokens, single, grid, patterns, *_ = client.predict(
        "the big green bird follows a white horse", "toy-translator", api_name="/attention"
    )
    assert "le grand oiseau vert suit un cheval blanc" in status
    assert "from the model's own queries and keys; they match the model's attention" in status
    assert [row[2] for row in tokens["data"]][:3] == ["the", "big", "green"]
    figure = json.loads(single["plot"])
    assert figure["data"][0]["type"] == "heatmap"
    assert figure["data"][0]["z"]["shape"] == "9, 9"  # target words x source words, end tokens included
    assert figure["layout"]["yaxis"]["ticktext"][3] == "vert"  # rows: the word being produced
    assert figure["layout"]["xaxis"]["ticktext"][2] == "green"
    assert {row[2] for row in patterns["data"]} <= {"diagonal alignment", "mixed"}

    top = client.predict("the red car sees a dog", "toy-translator", 1.0, api_name="/next_token")
    assert top["label"] == "la"  # the first word of "la voiture rouge voit un chien"
    assert len(top["confidences"]) == 10
    assert sum(c["confidence"] for c in top["confidences"]) <= 1.0 + 1e-6

    generated, *_ = client.predict("the red car sees a dog", "toy-translator", 1.0, "greedy", 0, api_name="/generate")
    assert "la voiture rouge voit un chien" in generated
    summary, *_ = client.predict(
        "the red car sees a dog", "toy-translator", "cross-attention", 1, 1, api_name="/ablate"
    )
    assert "mean KL(full ‖ ablated)" in summary


def test_an_empty_sentence_is_refused_with_a_hint(gradio_client, demo):
    from gradio_client.exceptions import AppError

    client = gradio_client(demo)
    with pytest.raises(AppError, match="type a sentence"):
        client.predict("  ", "toy-translator", api_name="/attention")


def test_a_student_types_a_sentence_and_sees_the_attention_map(page, demo):
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("heading", name="Transformer explorer").wait_for()
        sentence = page.get_by_label("Sentence")
        sentence.fill("the small blue cats like a red apple")
        page.get_by_role("button", name="Look inside").click()
        page.get_by_text("les petits chats bleus aiment une pomme rouge").wait_for(timeout=60_000)
        heatmap = page.locator(".js-plotly-plot").first
        heatmap.wait_for(timeout=30_000)
        assert "cross-attention, layer 0, head 0" in heatmap.inner_text()
        page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(state="attached", timeout=30_000)
        assert page.console_errors == []
    finally:
        demo.close()


def test_a_student_opens_the_few_shot_example_on_its_induction_head(page, demo):
    from apps.transformer import EXAMPLES
    from core.attention.choices import LAB_LM

    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("heading", name="Transformer explorer").wait_for()
        page.get_by_label("Sentence").fill(EXAMPLES[-1][0])
        model = page.get_by_label("Model")
        model.fill(LAB_LM)
        model.press("Enter")
        page.get_by_role("button", name="Look inside").click()
        note = page.locator("p", has_text="Induction head:")
        note.wait_for(timeout=60_000)
        note = note.inner_text()
        assert "layer 5, head 1 puts 85% of its attention on ' 7'" in note
        assert "probability of 100% as the next token; with this head removed, 1%" in note
        assert page.get_by_label("Layer").first.input_value() == "5"
        assert page.get_by_label("Head").first.input_value() == "1"
        assert page.console_errors == []
    finally:
        demo.close()
