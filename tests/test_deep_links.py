"""Deep links: a link's query string fills a demo's inputs; a bad value is ignored with a warning, never a crash."""

import importlib
import math
import re
from urllib.parse import parse_qsl

import gradio as gr
import pytest
from playwright.sync_api import expect

from apps.deep_links import link_inputs, link_query, parser_for
from tests.conftest import ROOT

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


def test_a_link_to_the_current_values_reads_back_as_those_values():
    components = {
        "strategy": gr.Radio(["zero-shot", "few-shot"]),
        "length": gr.Slider(1, 16, step=1),
        "temperature": gr.Slider(0, 2, step=0.05),
        "tasks": gr.CheckboxGroup(["coin_flip", "last_letter"]),
        "chat": gr.Checkbox(),
        "prompt": gr.Textbox(),
    }
    values = ["few-shot", 12.0, 0.7, ["coin_flip", "last_letter"], False, "Q: 5 + 6 & then?"]
    query = link_query(list(components), values)
    assert query.startswith("?strategy=few-shot&length=12&temperature=0.7&tasks=coin_flip,last_letter&chat=false")
    read = {name: parser_for(components[name])(text) for name, text in parse_qsl(query[1:])}
    assert read == dict(zip(components, [*values[:1], 12, *values[2:]], strict=True))


def test_the_copied_link_opens_the_page_as_it_was(suite_server, page):
    page.goto(f"{suite_server.base}/scale/")
    page.get_by_role("tab", name="Chinchilla calculator").click()
    page.get_by_label("Parameters (billions)", exact=True).fill("70")
    page.get_by_label("Training tokens (billions)", exact=True).fill("1400")
    page.get_by_label("Training tokens (billions)", exact=True).press("Tab")
    page.get_by_role("button", name="Link to this setup").click()
    box = page.get_by_label("Link to paste into a slide (also copied to the clipboard)")
    expect(box).to_have_value(
        f"{suite_server.base}/scale/?tab=chinchilla&unit=tokens&params=70&tokens=1400&metric=exact+match"
    )

    opened = page.context.new_page()
    opened.goto(box.input_value())
    expect(opened.get_by_label("Parameters (billions)", exact=True)).to_have_value("70", timeout=WAIT_MS)
    expect(opened.get_by_label("Training tokens (billions)", exact=True)).to_have_value("1400")
    expect(opened.get_by_role("tab", selected=True)).to_have_text("Chinchilla calculator")
    opened.get_by_role("button", name="Link to this setup").click()
    expect(opened.get_by_label("Link to paste into a slide (also copied to the clipboard)")).to_have_value(
        box.input_value()
    )


def documented_parameters() -> dict[str, list[str]]:
    """docs/deploy.md's deep-link table: demo -> the text of its rows (a row with an empty demo cell goes on)."""
    rows, demo = {}, None
    section = (ROOT / "docs" / "deploy.md").read_text().split("### Deep links")[1].split("\n###")[0]
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`"):
            continue
        demo = cells[0] or demo
        rows.setdefault(demo, []).append(line)
    return rows


GRADIO_DEMOS = ("scale", "prompting", "transformer", "transfer", "flows", "text_to_image", "tuning")


@pytest.mark.parametrize("name", GRADIO_DEMOS)
def test_the_deploy_docs_list_each_link_parameter_with_its_range_and_tabs(name):
    params = importlib.import_module(f"apps.{name}").demo.link_params
    rows = documented_parameters()[name]
    documented = {key for row in rows for key in re.findall(r"`(\w+)`", row.split("|")[2])}
    assert documented == set(params), f"docs/deploy.md's {name} rows differ from apps/{name}.py's link_inputs"
    for key, (component, _parse) in params.items():
        row = next(row for row in rows if f"`{key}`" in row.split("|")[2])
        if isinstance(component, gr.Slider):
            assert f"{component.minimum:g} to {component.maximum:g}" in row, f"{key}'s range in docs/deploy.md"
        if isinstance(component, gr.Tabs):
            assert all(f"`{tab.id}`" in row for tab in component.children), f"{name}'s tab ids in docs/deploy.md"
