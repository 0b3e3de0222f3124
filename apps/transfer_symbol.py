"""The transfer lab's tab "Teach it something new": a student draws a symbol the digits-0-4 CNN has never seen,
fine-tunes its last layer on the drawings (`core.transfer.new_class`) and tests it on a new drawing."""

from typing import TYPE_CHECKING

import gradio as gr

from core.transfer.choices import MIN_DRAWINGS, NEW_LABEL

if TYPE_CHECKING:
    from core.transfer.new_class import TaughtModel

CLEAR_PAD_JS = """() => document.querySelector('#symbol-pad button[aria-label="Clear canvas"]')?.click()"""
NO_DRAWINGS = f"No drawings yet: draw your symbol and add it, {MIN_DRAWINGS} times."
PEN = gr.Brush(default_size=14, colors=["#000000"], default_color="#000000", color_mode="fixed")  # a pen's stroke


def drawing_gallery(drawings: list) -> list:
    from core.transfer.data import card_image

    return [card_image(d.unsqueeze(0), scale=12) for d in drawings]


def sketchpad(label: str, elem_id: str) -> gr.Sketchpad:
    """A 280 x 280 pad drawn on with a black pen, read as an RGBA array."""
    return gr.Sketchpad(label=label, type="numpy", canvas_size=(280, 280), height=360, brush=PEN, elem_id=elem_id)


def composite(sketch: dict | None):
    return None if sketch is None else sketch.get("composite")


def add_drawing(sketch: dict | None, drawings: list):
    from core.transfer.data import sketch_to_digit

    digit = sketch_to_digit(composite(sketch))
    drawings = [*drawings, digit]
    left = MIN_DRAWINGS - len(drawings)
    status = f"{len(drawings)} drawing(s). " + (
        f"Draw {left} more." if left > 0 else "Enough: press **Teach it** (or add a few more)."
    )
    return drawings, drawing_gallery(drawings), status


def clear_drawings():
    return [], [], NO_DRAWINGS


def teach_symbol(drawings: list, seed: int):
    from core.transfer.new_class import teach

    taught = teach(drawings, seed)
    status = (
        f"Fine-tuned the last layer on {taught.drawings} drawings (plus a few digits 0-4, so it keeps them) "
        f"in {taught.seconds:.2f} s. Now draw a new one below and test it."
    )
    return taught, status


def classify_drawing(sketch: dict | None, taught: "TaughtModel | None"):
    from core.transfer.data import sketch_to_digit

    if taught is None:
        raise gr.Error(f"nothing taught yet: add {MIN_DRAWINGS} drawings of your symbol and press 'Teach it' first")
    return taught.classify(sketch_to_digit(composite(sketch)))


def symbol_tab(seed: gr.Number) -> None:
    """The tab, inside the lab's `gr.Blocks`; `seed` is the lab's seed, which draws the new layer's weights."""
    with gr.Tab("Teach it something new"):
        gr.Markdown(
            f"The digits-0-4 CNN has never seen your symbol. Draw it {MIN_DRAWINGS} times (press "
            "**Add drawing** after each), then **Teach it**: only the last layer learns, with one new "
            f"output, '{NEW_LABEL}'. Then draw it once more, or draw a digit 0-4, and test."
        )
        drawings = gr.State([])
        taught = gr.State(None)
        with gr.Row():
            with gr.Column():
                pad = sketchpad("Draw your symbol", "symbol-pad")
                with gr.Row():
                    add_btn = gr.Button("Add drawing")
                    clear_btn = gr.Button("Clear drawings")
                    teach_btn = gr.Button("Teach it", variant="primary")
            with gr.Column():
                teach_status = gr.Markdown(NO_DRAWINGS)
                gallery = gr.Gallery(label="Your drawings as the CNN sees them (8x8)", columns=5, height=180)
        with gr.Row():
            test_pad = sketchpad("Test drawing", "test-pad")
            with gr.Column():
                test_btn = gr.Button("Test it", variant="primary")
                prediction = gr.Label(label="What the fine-tuned CNN sees", num_top_classes=3, elem_id="prediction")
        add_btn.click(
            add_drawing, inputs=[pad, drawings], outputs=[drawings, gallery, teach_status], api_name="add_drawing"
        ).success(None, js=CLEAR_PAD_JS, api_name="clear_pad")
        clear_btn.click(clear_drawings, outputs=[drawings, gallery, teach_status], api_name="clear_drawings")
        teach_btn.click(teach_symbol, inputs=[drawings, seed], outputs=[taught, teach_status], api_name="teach")
        test_btn.click(classify_drawing, inputs=[test_pad, taught], outputs=prediction, api_name="classify_drawing")
