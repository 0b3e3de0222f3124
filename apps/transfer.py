"""Transfer learning lab: pre-train, then fine-tune; last layers vs. all weights vs. from scratch.

A student checks the course's three claims (faster, more accurate, less data) on a small CNN and on a
frozen sentence encoder, and sees where they fail: an unrelated source gives negative transfer.

torch and scikit-learn load on the first click (inside the handlers), so the page itself builds fast.
"""

import time
from typing import TYPE_CHECKING

import gradio as gr
import pandas as pd

from apps.deep_links import link_inputs
from apps.transfer_symbol import symbol_tab
from core.runtime.limits import time_limited
from core.transfer.choices import (
    DEFAULT_EPOCHS,
    DEFAULT_LR,
    DEFAULT_SEEDS,
    DEFAULT_TARGET,
    FEWER,
    MAX_EPOCHS,
    MAX_SEEDS,
    MAX_SHOTS,
    MAX_TEXT_SHOTS,
    SWEEP_SHOTS,
)
from core.transfer.models import ENCODER, missing_encoder
from core.transfer.modes import ADAPTATIONS, MODES
from core.transfer.tables import (
    CLAIM_COLUMNS,
    CURVE_COLUMNS,
    SUMMARY_COLUMNS,
    TEXT_COLUMNS,
    claims_table,
    curve_table,
    summary_table,
    text_table,
)

if TYPE_CHECKING:
    from core.transfer.runs import Run

MODE_CHOICES = [(m.label, key) for key, m in ADAPTATIONS.items()]
SOURCE_CHOICES = [
    ("Digits 0-4 (related: same strokes, other classes)", "digits"),
    ("Random textures with random labels (unrelated)", "unrelated"),
]
REDRAW_EVERY_S = 0.4  # redraw live charts at most this often


def finetune_one(mode: str, shots: int, epochs: int, seed: int, lr: float, source: str, progress=gr.Progress()):
    """One fine-tuning run: the final test accuracy and the learning curve."""
    from core.transfer.charts import learning_curves
    from core.transfer.finetune import finetune
    from core.transfer.runs import Run

    run, drawn = Run(mode, shots, seed), 0.0
    for point in time_limited(finetune(mode, shots, epochs, seed, lr, source), FEWER):
        run.curve.append(point)
        progress((point.epoch, int(epochs)), desc=f"{ADAPTATIONS[mode].label}: epoch", unit="epochs")
        if time.perf_counter() - drawn > REDRAW_EVERY_S or point.epoch == int(epochs):
            drawn = time.perf_counter()
            yield point.accuracy, learning_curves([run]), curve_table(run)


def compare_modes(modes, shots, epochs, lr, seed, seeds, source, target, progress=gr.Progress()):
    """Every ticked mode for each seed, with the learning curves redrawn while they train."""
    from core.transfer.charts import learning_curves, time_to_target, trainable_parameters
    from core.transfer.finetune import check_epochs
    from core.transfer.runs import Comparison, check_seeds, check_target, summarize, train_runs

    target, seeds, epochs = check_target(target), check_seeds(seeds), check_epochs(epochs)
    total = max(1, len(modes) * seeds * (epochs + 1))
    drawn, done, runs = 0.0, 0, []
    for runs in time_limited(train_runs(Comparison(modes, shots, epochs, lr, seeds, seed, source)), FEWER):
        done += 1
        run = runs[-1]
        progress(done / total, desc=f"{ADAPTATIONS[run.mode].label}, seed {run.seed}")
        if time.perf_counter() - drawn > REDRAW_EVERY_S:
            drawn = time.perf_counter()
            yield learning_curves(runs, target), gr.skip(), gr.skip(), gr.skip()
    summaries = summarize(runs, target)
    yield (
        learning_curves(runs, target),
        summary_table(summaries),
        time_to_target(summaries, target),
        trainable_parameters(summaries),
    )


def check_claims(modes, shots, epochs, lr, seed, seeds, source, target, progress=gr.Progress()):
    """Seed by seed, a label sweep of the ticked modes plus the from-scratch baseline; the plot, the three claims
    and a status line after each seed. When the time limit stops the sweep, the finished seeds' results stay."""
    from core.transfer.runs import Comparison
    from core.transfer.seed_by_seed import claims_seed_by_seed

    for step in claims_seed_by_seed(Comparison(modes, shots, epochs, lr, seeds, seed, source), target):
        progress(step.fraction, desc=step.doing)
        if step.status:
            yield claim_results(step.finished, shots, target, step.status)


def claim_results(runs: list["Run"], shots: int, target: float, status: str) -> tuple:
    """The plot, the claims table and the status line for the runs of the finished seeds."""
    from core.transfer.charts import accuracy_vs_labels
    from core.transfer.claims import claim_check

    table = claims_table(claim_check(runs, shots, target))
    widths = claim_widths(len(table.columns))
    return accuracy_vs_labels(runs, target), gr.Dataframe(table, column_widths=widths), status


def claim_widths(columns: int) -> list[str]:
    """Column widths that keep every verdict in the 900 px table of a laptop page: narrow claim, wide 'measured
    as', the rest equal. In pixels, so that on a phone the table scrolls sideways instead of squeezing headers."""
    rest = (860 - 100 - 190) // (columns - 2)
    return ["100px", "190px", *[f"{rest}px"] * (columns - 2)]


def encoder_status() -> str:
    missing = missing_encoder()
    if missing:
        return f"**Encoder missing.** {missing}"
    return (
        f"Encoder: `{ENCODER.hub_default}`, a pre-trained sentence encoder from the Hugging Face Hub. "
        "It stays frozen: only a logistic regression on its sentence vectors learns."
    )


def compare_sentences(seeds: int, progress=gr.Progress()):
    from core.transfer.charts import text_comparison
    from core.transfer.text_transfer import SHOT_STEPS, compare_text

    if missing_encoder() is None:
        progress(0, desc="loading the sentence encoder and embedding the sentences")
    scores = []
    for score in time_limited(compare_text(seeds), "average over fewer seeds"):
        scores.append(score)
        progress(len(scores) / (len(SHOT_STEPS) * int(seeds)), desc=f"{score.shots} sentences per class")
    return text_comparison(scores), text_table(scores)


def classify_sentence(sentence: str, shots: int, seed: int):
    from core.transfer.text_transfer import train_text_models

    probs = train_text_models(shots, seed).predict(sentence)
    return probs["TF-IDF from scratch"], probs.get("Frozen encoder + classifier")


with gr.Blocks(title="Transfer learning lab") as demo:
    gr.Markdown(
        "# Transfer learning lab\n"
        "Once a model is trained in one domain, its knowledge transfers to a similar one: if you can drive a car, "
        "a truck is easy. In ML you start from a **pre-trained** model and **fine-tune** it on data from the new "
        "domain, typically updating the last layer or layers while the rest stays fixed. The course claims this "
        "is **faster**, **more accurate** and needs **less data** than training from scratch. Test each claim."
    )
    with gr.Tab("Image transfer"):
        gr.Markdown(
            "A small CNN (two convolutions, a dense layer, a head) was pre-trained on **digits 0-4**, each written "
            "anywhere on a 12x12 card. The target domain is **digits 5-9**: new classes, same kind of strokes. "
            "The head is always new (the classes changed); the modes differ in which of the four layers start "
            "pre-trained and which ones learn. To see a claim fail, switch the source to the unrelated one."
        )
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                source = gr.Radio(SOURCE_CHOICES, value="digits", label="Source the CNN was pre-trained on")
                shots = gr.Slider(
                    0, MAX_SHOTS, value=5, step=1, label="Labelled examples per target class", info="1 to 50"
                )
                epochs = gr.Slider(1, MAX_EPOCHS, value=DEFAULT_EPOCHS, step=1, label="Epochs")
                lr = gr.Number(value=DEFAULT_LR, label="Learning rate (Adam)", minimum=0)
                seed = gr.Number(value=0, precision=0, label="Seed (draws the examples and the new weights)")
                seeds = gr.Slider(
                    1, MAX_SEEDS, value=DEFAULT_SEEDS, step=1, label="Seeds to average over (comparisons)"
                )
                target = gr.Slider(
                    0.2, 0.95, value=DEFAULT_TARGET, step=0.05, label="Target test accuracy (for 'faster')"
                )
            with gr.Column(scale=3):
                with gr.Tab("One run"):
                    with gr.Row():
                        mode = gr.Dropdown(MODE_CHOICES, value="full", label="Adaptation mode")
                        run_btn = gr.Button("Fine-tune", variant="primary")
                    accuracy = gr.Number(label="Test accuracy on digits 5-9 (fraction)", precision=4)
                    curve_plot = gr.Plot(label="Learning curve")
                    with gr.Accordion("Learning curve as numbers", open=False):
                        curve_df = gr.Dataframe(
                            pd.DataFrame(columns=CURVE_COLUMNS),
                            label="Learning curve",
                            interactive=False,
                        )
                with gr.Tab("Compare modes"):
                    with gr.Row():
                        modes = gr.CheckboxGroup(MODE_CHOICES, value=list(MODES), label="Modes to compare", scale=3)
                        compare_btn = gr.Button("Train and compare", variant="primary", scale=1)
                    curves_plot = gr.Plot(label="Learning curves (mean ± sd over seeds)")
                    summary_df = gr.Dataframe(
                        pd.DataFrame(columns=SUMMARY_COLUMNS), label="Per mode", interactive=False
                    )
                    with gr.Row():
                        time_plot = gr.Plot(label="Time to target")
                        params_plot = gr.Plot(label="Trainable parameters")
                with gr.Tab("Claim check"):
                    gr.Markdown(
                        "Sweeps the labelled examples per class over "
                        f"{', '.join(map(str, SWEEP_SHOTS))} (and your setting), up to the first amount that reaches "
                        "the target, for the ticked modes and **From scratch** as the baseline, seed by seed: the "
                        "table fills in after each seed. Seed k of every mode draws the "
                        "same labelled examples, so each gap is paired by seed: mean gap, its 95% t interval, the "
                        "number of seeds and the paired t-test's p-value. ✓ holds: the interval excludes 0 in the "
                        "claimed direction and p < 0.05; ✗ does not hold: it excludes 0 the other way; ≈ not enough "
                        "evidence. One seed gives no interval. The defaults (every mode, 5 seeds, 30 epochs) take "
                        "about 100 s on a busy 2-core CPU, 10 seeds about 160 s, close to the server's 180 s limit."
                    )
                    claims_btn = gr.Button("Run the claim check", variant="primary")
                    claims_status = gr.Markdown()
                    labels_plot = gr.Plot(label="Accuracy against labelled examples (mean ± sd over seeds)")
                    claims_df = gr.Dataframe(
                        pd.DataFrame(columns=CLAIM_COLUMNS),
                        label="Claim check (measured now)",
                        interactive=False,
                        wrap=True,
                        column_widths=claim_widths(2 + len(MODE_CHOICES)),
                        elem_id="claims-table",
                    )
                symbol_tab(seed)

    with gr.Tab("Foundation-model transfer (text)"):
        gr.Markdown(
            "Sort short sentences into five topics (sport, food, weather, music, technology) from a few labelled "
            "examples. **Transfer:** a frozen pre-trained sentence encoder plus a small classifier. "
            "**From scratch:** TF-IDF word counts plus the same classifier, learning only from these sentences. "
            "The 300 sentences were written for this lab; 120 of them are held out for testing."
        )
        gr.Markdown(encoder_status())
        with gr.Row():
            text_seeds = gr.Slider(1, MAX_SEEDS, value=3, step=1, label="Seeds to average over")
            text_btn = gr.Button("Compare on the sentences", variant="primary")
        text_plot = gr.Plot(label="Accuracy against labelled sentences")
        with gr.Accordion("Every run", open=False):
            text_df = gr.Dataframe(pd.DataFrame(columns=TEXT_COLUMNS), interactive=False)
        gr.Markdown("### Try a sentence")
        with gr.Row():
            sentence = gr.Textbox(
                label="Sentence", value="The keeper punched the ball clear of the goal.", scale=3, min_width=300
            )
            text_shots = gr.Slider(1, MAX_TEXT_SHOTS, value=4, step=1, label="Labelled sentences per class")
            text_seed = gr.Number(value=0, precision=0, label="Seed")
        sentence_btn = gr.Button("Classify with both")
        with gr.Row():
            tfidf_label = gr.Label(label="TF-IDF from scratch", num_top_classes=3)
            encoder_label = gr.Label(label="Frozen encoder + classifier", num_top_classes=3)

    run_btn.click(
        finetune_one,
        inputs=[mode, shots, epochs, seed, lr, source],
        outputs=[accuracy, curve_plot, curve_df],
        api_name="finetune",
        concurrency_id="fine-tune",
    )
    comparison_inputs = [modes, shots, epochs, lr, seed, seeds, source, target]
    compare_btn.click(
        compare_modes,
        inputs=comparison_inputs,
        outputs=[curves_plot, summary_df, time_plot, params_plot],
        api_name="compare",
    )
    claims_btn.click(
        check_claims, inputs=comparison_inputs, outputs=[labels_plot, claims_df, claims_status], api_name="claims"
    )
    text_btn.click(compare_sentences, inputs=text_seeds, outputs=[text_plot, text_df], api_name="text_compare")
    sentence_btn.click(
        classify_sentence,
        inputs=[sentence, text_shots, text_seed],
        outputs=[tfidf_label, encoder_label],
        api_name="text_classify",
    )
    links = {"source": source, "mode": mode, "shots": shots, "epochs": epochs, "lr": lr, "seed": seed, "seeds": seeds}
    link_inputs(demo, links | {"target": target, "modes": modes, "sentence": sentence})

if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "transfer")
