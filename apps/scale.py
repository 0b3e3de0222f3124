"""Foundation models and scale: model and dataset sizes, the Chinchilla rule, the capability table."""

import functools
from functools import partial
from pathlib import Path

import gradio as gr
import pandas as pd

from apps.catalog import DEMOS
from apps.deep_links import link_inputs
from apps.errors import user_errors
from core.scale.charts import dataset_sizes, model_sizes
from core.scale.chinchilla import tokens_per_parameter
from core.scale.ladder_files import (
    AXES,
    ISOFLOP_COMMAND,
    ISOFLOP_FILE,
    LADDER_COMMANDS,
    LADDER_DIR,
    METRICS,
    PHASE_COMMAND,
    PHASE_DIR,
    RESULTS,
    ladder_dir,
    read_ladder,
    read_results,
)
from core.scale.tables import CAPABILITIES, CHINCHILLA_PAPER, MODELS, NOTES, PROVIDERS, providers_with

ENABLERS = (
    ("Compute", "Massive numbers of dimensions and volumes of input can be processed (this page).", ()),
    ("Transformer architectures", "Attention lets the model weigh every part of the input.", ("transformer",)),
    ("In-context learning", "A foundation model used out of the box, with zero or few examples.", ("prompting",)),
)


def judge(params_b: float, tokens_b: float):
    verdict = tokens_per_parameter(params_b, tokens_b)
    return verdict.summary(), model_sizes(highlight=verdict)


def capability_rows(required: list[str]) -> pd.DataFrame:
    providers = providers_with(required or [])
    rows = [{"Provider": p, **{c: "●" for c in CAPABILITIES}} for p in providers]
    return pd.DataFrame(rows, columns=["Provider", *CAPABILITIES])


def enablers_markdown() -> str:
    mounted = {d.name: d for d in DEMOS}
    lines = []
    for title, what, links in ENABLERS:
        demos = [f"[{mounted[n].title}](../{n}/)" for n in links if n in mounted]
        lines.append(f"- **{title}**: {what}" + (f" Try it: {', '.join(demos)}." if demos else ""))
    return "\n".join(lines)


def model_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Model": m.name,
                "Year": m.year,
                "Parameters (B)": m.params_b,
                "Tokens (B)": m.tokens_b,
                "Tokens per parameter": round(m.tokens_b / m.params_b, 1),
                "Source": m.source,
            }
            for m in MODELS
        ]
    )


METRIC_CHOICES = {"exact match": "exact", "log-probability": "logprob", "edit distance": "edit"}


@functools.lru_cache(maxsize=4)
def measured_report(folder: Path, stamp: float) -> tuple[dict, dict, dict[str, str], str, pd.DataFrame]:
    """The measured ladder in `folder` (its abilities.json of modification time `stamp`): members, results, the
    verdict lines per metric, the story and the member table, worked out once, not at every visit (the fits take
    about a second)."""
    from core.scale.emergence_report import member_table, story, verdict_lines

    ladder, results = read_ladder(folder), read_results(folder)
    lines = {key: "\n".join(f"- {line}" for line in verdict_lines(ladder, results, key)) for key in METRICS}
    return ladder, results, lines, story(ladder, results), member_table(ladder, results)


def report(folder: Path):
    return measured_report(folder, (folder / RESULTS).stat().st_mtime)


def emergence_view(folder: Path, metric: str, axis: str):
    """The curves and the verdict lines of the measured ladder in `folder`."""
    with user_errors():
        if metric not in METRIC_CHOICES or axis not in AXES:
            raise ValueError(f"choose a metric of {', '.join(METRIC_CHOICES)} and an axis of {', '.join(AXES)}")
        from core.scale.emergence_charts import ability_curves

        ladder, results, lines, _, _ = report(folder)
        key = METRIC_CHOICES[metric]
        return ability_curves(ladder, results, key, axis), lines[key]


def emergence_page(folder: Path, metric: str = "exact match", axis: str = "parameters"):
    """What the tab shows of the ladder in `folder` as it opens: the curves (under `metric`, along `axis`), verdict
    lines and story where it was measured, and the member table where it was trained (empty where it is missing)."""
    if not (folder / "ladder.json").is_file():
        return None, "", "", None
    if read_results(folder) is None:
        from core.scale.emergence_report import member_table

        return None, "", "", member_table(read_ladder(folder), None)
    metric, axis = metric if metric in METRIC_CHOICES else "exact match", axis if axis in AXES else "parameters"
    figure, lines = emergence_view(folder, metric, axis)
    _, _, _, told, table = report(folder)
    return figure, lines, told, table


def opened_tab(metric: str, axis: str):
    return emergence_page(ladder_dir(), metric, axis)


def opened_page(request: gr.Request):
    """The measured tabs' content where the page opens on a link to one (`?tab=emergence`, `phase` or
    `chinchilla`); nothing to do otherwise."""
    query = dict(request.query_params) if request is not None else {}
    tab = query.get("tab")
    emergence = (
        emergence_page(ladder_dir(), query.get("metric", "exact match")) if tab == "emergence" else [gr.skip()] * 4
    )
    phase = phase_page() if tab == "phase" else [gr.skip()] * 2
    return [*emergence, *phase, *(isoflop_page() if tab == "chinchilla" else [gr.skip()] * 2)]


def ask(folder: Path, prompt: str, answer: str) -> pd.DataFrame:
    with user_errors():
        from core.scale.ask import ask_ladder

        return pd.DataFrame(ask_ladder(folder, prompt, answer))


@functools.lru_cache(maxsize=2)
def measured_phase(folder: Path, stamp: float):
    """The phase-change runs in `folder` (newest file of modification time `stamp`): figure, verdict lines."""
    from core.scale.phase_charts import phase_curves
    from core.scale.phase_report import read_run, read_runs, summary, verdict_line

    runs = [read_run(result) for result in read_runs(folder)]
    lines = "\n".join(f"- {verdict_line(run)}" for run in runs)
    return phase_curves(runs), f"**{summary(runs)}**\n\n{lines}"


def phase_page(folder: Path = PHASE_DIR):
    """The phase-change tab's figure and verdicts; nothing where no run was measured."""
    stamps = [path.stat().st_mtime for path in folder.glob("seed-*.json")]
    if not stamps:
        return None, f"**Not measured yet.** Measure a run with:\n\n```\n{PHASE_COMMAND}\n```"
    return measured_phase(folder, max(stamps))


@functools.lru_cache(maxsize=2)
def measured_isoflop(path: Path, stamp: float):
    """The IsoFLOP runs in `path` (of modification time `stamp`): the profiles' chart and the ratio in words."""
    import json

    from core.scale.isoflop_report import isoflop_chart, isoflop_markdown

    result = json.loads(path.read_text())
    return isoflop_chart(result), isoflop_markdown(result)


def isoflop_page(path: Path = ISOFLOP_FILE):
    """Our own compute-optimal ratio where it was measured; otherwise what to run, and nothing made up."""
    if not path.is_file():
        return gr.Plot(visible=False), (
            "**Not measured.** Our own ratio needs IsoFLOP profiles (Hoffmann et al. 2022, approach 2): at each of "
            "several compute budgets, models of many sizes trained on the tokens the budget leaves them. These "
            f"runs were not made. They are one command:\n\n```\n{ISOFLOP_COMMAND}\n```"
        )
    figure, told = measured_isoflop(path, path.stat().st_mtime)
    return gr.Plot(value=figure, visible=True), told


def missing_note(folder: Path) -> str | None:
    """What to run where the ladder or its measurements are missing; None where both are there."""
    where = "the shipped ladder" if folder == LADDER_DIR else f"the ladder in {folder}"
    if not (folder / "ladder.json").is_file():
        commands = "\n".join(LADDER_COMMANDS)
        return (
            f"**Not measured yet**: {where} is not here (no `ladder.json`), so this tab shows nothing. These "
            f"commands produce it, N being the training tokens per member:\n\n```\n{commands}\n```"
        )
    if read_results(folder) is None:
        return (
            f"**Not measured yet**: {where} has no `abilities.json`. Measure it with:\n\n```\n{LADDER_COMMANDS[1]}\n```"
        )
    return None


def emergence_tab(folder: Path) -> tuple[gr.Radio, gr.Radio, list]:
    """The "Emergence, measured here" tab for the ladder in `folder`: its metric and axis switches, and the
    components `emergence_page` fills as a page opens (built without torch or scipy)."""
    gr.Markdown(
        "Base models of one recipe and corpus, from 36 k to 4 M parameters (`core.scale.ladder`), answer the same "
        "held-out problems. Each ability is scored all-or-nothing (exact match) and continuously (the "
        "log-probability of the right reply, the token edit distance to it). Does an ability appear as a step "
        "between two sizes, *emergent*, or rise smoothly?"
    )
    note = missing_note(folder)
    trained = (folder / "ladder.json").is_file()
    measured = trained and read_results(folder) is not None
    if note:
        gr.Markdown(note)
    with gr.Row():
        metric = gr.Radio(list(METRIC_CHOICES), value="exact match", label="Metric", visible=measured)
        axis = gr.Radio(list(AXES), value="parameters", label="Along", visible=measured)
    plot = gr.Plot(label="Abilities against scale", visible=measured)
    verdicts = gr.Markdown(visible=measured)
    told = gr.Markdown(visible=measured)
    table = gr.Dataframe(label="Members", interactive=False, wrap=True, visible=trained)
    for switch in (metric, axis):
        switch.change(partial(emergence_view, folder), inputs=[metric, axis], outputs=[plot, verdicts], api_name=False)
    with gr.Group(visible=trained):
        gr.Markdown("Your own prompt: every member's greedy answer and the log-probability of your right answer.")
        prompt = gr.Textbox(
            label="Your prompt", lines=4, placeholder="Q: Enzo\nA: dax\n\nQ: Jade\nA: 404\n\nQ: Enzo\nA:"
        )
        answer = gr.Textbox(label="Right answer", placeholder="dax")
        button = gr.Button("Ask every member", variant="primary")
        answers = gr.Dataframe(label="Each member's greedy answer, smallest to largest", interactive=False)
        button.click(partial(ask, folder), inputs=[prompt, answer], outputs=answers, api_name="ask_ladder")
    return metric, axis, [plot, verdicts, told, table]


with gr.Blocks(title="Foundation models and scale") as demo:
    gr.Markdown(
        "# Foundation models and scale\n"
        "A foundation model is *any model that is trained on broad data (generally using self-supervision at "
        "scale) that can be adapted (e.g., fine-tuned) to a wide range of downstream tasks*. "
        "Why now? The course names three enablers:\n\n" + enablers_markdown()
    )
    with gr.Tab("Model sizes", id="sizes") as sizes_tab:
        gr.Markdown("Each bubble is a model; its area grows with training compute (6 · parameters · tokens).")
        sizes_plot = gr.Plot(value=model_sizes(), label="Language model sizes")
        gr.Dataframe(
            value=model_table(),
            label="Models and their sources",
            interactive=False,
            wrap=True,
            # whole-word headers and wrapped sources; fixed widths, so that on a phone the table scrolls sideways
            # instead of squeezing each header into a column of single letters
            column_widths=["110px", "70px", "110px", "90px", "110px", "700px"],
            elem_id="models-table",
        )
    with gr.Tab("Datasets", id="datasets"):
        unit = gr.Radio(["tokens", "TB"], value="tokens", label="Measure datasets in")
        datasets_plot = gr.Plot(value=dataset_sizes("tokens"), label="Datasets for language models")
        unit.change(dataset_sizes, inputs=unit, outputs=datasets_plot, api_name="datasets")
    with gr.Tab("Chinchilla calculator", id="chinchilla") as chinchilla_tab:
        gr.Markdown(
            "Is a model trained at **Chinchilla scale**? The course notes say: more than 15 training tokens per "
            "parameter. The Chinchilla paper's rule of thumb for compute-optimal training is about 20:1.\n\n"
            f"Source: {NOTES}; {CHINCHILLA_PAPER}."
        )
        with gr.Row():
            params = gr.Number(value=175, label="Parameters (billions)", minimum=0)
            tokens = gr.Number(value=300, label="Training tokens (billions)", minimum=0)
        check = gr.Button("Check", variant="primary")
        verdict = gr.Markdown()
        calc_plot = gr.Plot(label="Your model among the others")
        check.click(judge, inputs=[params, tokens], outputs=[verdict, calc_plot], api_name="chinchilla")
        gr.Markdown("### Our own ratio, measured on the ladder's corpus")
        isoflop_plot = gr.Plot(label="IsoFLOP profiles", visible=False)
        isoflop_told = gr.Markdown()
    with gr.Tab("LLM providers", id="providers"):
        gr.Markdown(
            "The course's capability table of LLM providers. As transcribed in the notes, every provider offers "
            "every capability listed, so the table shows who the providers are but cannot tell them apart.\n\n"
            f"Source: {NOTES}, slide 'Large Language Models'."
        )
        gr.Dataframe(value=capability_rows([]), label=f"{len(PROVIDERS)} providers", interactive=False)
    with gr.Tab("Emergence, measured here", id="emergence") as emergence:
        metric, axis, measured_parts = emergence_tab(ladder_dir())
    with gr.Tab("Inside one run", id="phase") as phase:
        gr.Markdown(
            "Olsson et al. (2022) saw, early in training, a short window in which a transformer's in-context "
            "learning (later tokens of a document predicted better than early ones) and its *induction heads* "
            "(heads that look back to the token after an earlier copy of the current one and copy it) appear "
            "together, with a bump in the loss. Here the bundled base model's recipe is trained from scratch and "
            "measured along the way (`core.scale.phase_change`): does the same happen in our model?"
        )
        phase_plot = gr.Plot(label="Loss, in-context score and induction head against training step")
        phase_verdicts = gr.Markdown()
    # filled when the tab opens (its verdicts take a second of fits), or as the page opens on a link to it
    emergence.select(opened_tab, inputs=[metric, axis], outputs=measured_parts, api_name=False, show_progress="minimal")
    phase.select(phase_page, outputs=[phase_plot, phase_verdicts], api_name=False, show_progress="minimal")
    chinchilla_tab.select(isoflop_page, outputs=[isoflop_plot, isoflop_told], api_name=False, show_progress="minimal")
    demo.load(
        opened_page,
        outputs=measured_parts + [phase_plot, phase_verdicts, isoflop_plot, isoflop_told],
        api_name=False,
        show_progress="hidden",
    )

link_inputs(
    demo,
    {"tab": sizes_tab.parent, "unit": unit, "params": params, "tokens": tokens, "metric": metric},
)


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "scale")
