"""Foundation models and scale: model and dataset sizes, the Chinchilla rule, the capability table."""

import gradio as gr
import pandas as pd

from apps.catalog import DEMOS
from apps.deep_links import link_inputs
from core.scale.charts import dataset_sizes, model_sizes
from core.scale.chinchilla import tokens_per_parameter
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
    with gr.Tab("Chinchilla calculator", id="chinchilla"):
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
    with gr.Tab("LLM providers", id="providers"):
        gr.Markdown(
            "The course's capability table of LLM providers. As transcribed in the notes, every provider offers "
            "every capability listed, so the table shows who the providers are but cannot tell them apart.\n\n"
            f"Source: {NOTES}, slide 'Large Language Models'."
        )
        gr.Dataframe(value=capability_rows([]), label=f"{len(PROVIDERS)} providers", interactive=False)

link_inputs(
    demo,
    {"tab": sizes_tab.parent, "unit": unit, "params": params, "tokens": tokens},
)


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "scale")
