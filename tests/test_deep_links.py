"""Deep links: a link's query string fills a demo's inputs; a bad value is ignored with a warning, never a crash."""

import math

import gradio as gr
import pytest
from playwright.sync_api import expect

from apps.deep_links import link_inputs, parser_for

WAIT_MS = 60_000


def test_each_component_reads_only_the_values_it_accepts():
    strategy = parser_for(gr.Radio([("Zero-shot", "zero-shot"), ("Few-shot", "few-shot")]))
    assert strategy("few-shot") == "few-shot"
    with pytest.raises(ValueError, match="choose one of zero-shot, few-shot"):
        strategy("Few-shot")
    length = parser_for(gr.Slider(1, 8, step=1))
    assert length("3") == 3 and isinstance(length("3"), int)
    for bad in ("9", "2.5", "nan", "inf", "three"):
        with pytest.raises(ValueError, match="use a whole number from 1 to 8"):
            length(bad)
    assert math.isclose(parser_for(gr.Slider(0, 2, step=0.05))("0.7"), 0.7)
    assert parser_for(gr.Number(minimum=0))("1e3") == 1000.0
    assert parser_for(gr.CheckboxGroup(["Open", "Translation"]))("Open,Translation") == ["Open", "Translation"]
    assert parser_for(gr.Dropdown(["bundled"], allow_custom_value=True))("gpt2") == "gpt2"
    assert parser_for(gr.Checkbox())("false") is False
    with pytest.raises(TypeError, match="pass \\(component, parse\\)"):
        parser_for(gr.Plot())


def test_a_parameter_name_of_gradio_or_the_course_page_is_refused():
    with gr.Blocks() as demo:
        box = gr.Textbox()
    with pytest.raises(ValueError, match="'view' is taken"):
        link_inputs(demo, {"view": box})


LINKS = {
    "scale": (
        "tab=chinchilla&params=70&tokens=1400",
        {"Parameters (billions)": "70", "Training tokens (billions)": "1400"},
        {"tab": "Chinchilla calculator"},
    ),
    "prompting": (
        "task=last_letter&strategy=zero-shot&prompt=Q%3A+What+is+the+last+letter+of+cat%3F",
        {"Prompt (editable)": "Q: What is the last letter of cat?"},
        {"radio": "Zero-shot"},
    ),
    "transformer": (
        "text=the+big+green+birds&model=lab-lm",
        {"Sentence": "the big green birds", "Model": "lab-lm"},
        {},
    ),
    "transfer": (
        "source=unrelated&shots=7",
        {"number input for Labelled examples per target class": "7"},
        {"radio": "Random textures with random labels (unrelated)"},
    ),
    "flows": (
        "dataset=rings&steps=1200&seed=4",
        {"Training steps (1 to 5000)": "1200", "Seed": "4"},
        {"radio": "rings"},
    ),
}


@pytest.mark.parametrize("name", list(LINKS))
def test_a_deep_link_fills_the_demos_inputs(suite_server, page, name):
    query, values, chosen = LINKS[name]
    page.goto(f"{suite_server.base}/{name}/?{query}")
    for label, value in values.items():
        expect(page.get_by_label(label, exact=True).first).to_have_value(value, timeout=WAIT_MS)
    if "radio" in chosen:
        expect(page.get_by_role("radio", name=chosen["radio"], exact=True).first).to_be_checked()
    if "tab" in chosen:
        expect(page.get_by_role("tab", selected=True)).to_have_text(chosen["tab"])
    assert page.console_errors == []


def test_bad_values_give_a_warning_and_the_demo_still_works(suite_server, page):
    page.goto(f"{suite_server.base}/scale/?tab=nope&params=-3&tokens=1400")
    expect(page.get_by_text("The link's params=-3 was ignored: use a number of at least 0.")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(
        page.get_by_text("The link's tab=nope was ignored: choose one of sizes, datasets, chinchilla")
    ).to_be_visible()
    page.get_by_role("tab", name="Chinchilla calculator").click()
    expect(page.get_by_label("Training tokens (billions)")).to_have_value("1400")
    expect(page.get_by_label("Parameters (billions)")).to_have_value("175")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("8.0 tokens per parameter")).to_be_visible(timeout=WAIT_MS)


def test_a_deep_link_sets_up_the_streamlit_page_and_names_a_bad_value(suite_server, page):
    page.goto(f"{suite_server.streamlit}/?data=moons&clf=logreg&threshold=0.8&k=many")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Data")).to_have_value("two moons", timeout=90_000)
    expect(sidebar.get_by_role("radio", name="logistic regression")).to_be_checked()
    expect(sidebar.get_by_role("slider", name="Confidence threshold")).to_have_value("0.8")
    expect(page.get_by_role("alert")).to_contain_text("The link's k=many is not usable")
