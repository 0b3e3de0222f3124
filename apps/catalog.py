"""The suite's demos: one entry each, in the order the index lists them.

`name` is the URL path (`/<name>/`) and the module `apps.<name>`; a Gradio demo's module exposes
`demo`, a Streamlit page is a script run by `streamlit run`.
"""

from dataclasses import dataclass
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    does: str  # one line: what it lets a student do
    concept: str  # the course concept it teaches
    kind: str = "gradio"  # "gradio" or "streamlit"
    models: tuple[str, ...] = ()  # registry name of each model to warm up once the server is up
    hardware: str = "cpu-basic"  # Space hardware, e.g. "zero-a10g": on a GPU the models' hub defaults are used

    @property
    def module(self) -> str:
        return f"apps.{self.name}"

    @property
    def script(self) -> Path:
        return APPS_DIR / f"{self.name}.py"

    @property
    def wants_gpu(self) -> bool:
        return not self.hardware.startswith("cpu")


DEMOS: tuple[Demo, ...] = (
    Demo(
        name="scale",
        title="Foundation models and scale",
        does="Compare model and dataset sizes, and check whether a model was trained at Chinchilla scale.",
        concept="Foundation models and scale",
    ),
    Demo(
        name="prompting",
        title="Prompting lab",
        does="Prompt a model zero-shot, few-shot and with chain-of-thought, and measure what each strategy buys.",
        concept="In-context learning",
        models=("lab-lm",),
        hardware="zero-a10g",
    ),
    Demo(
        name="tuning",
        title="Tuning lab",
        does="Instruction-tune a model, rank its answers, tune it on the rankings with PPO or DPO, and measure fine-tuning vs prompting vs RLHF.",
        concept="Instruction tuning and feedback tuning (RLHF)",
        models=("tuning-base",),
    ),
    Demo(
        name="text_to_image",
        title="Text to image with diffusion",
        does="Generate images from a caption and watch them denoise, explore the forward noising, and inpaint.",
        concept="Image generation: diffusion",
        models=("text-to-image", "text-to-image-distilled"),
        hardware="zero-a10g",
    ),
    Demo(
        name="flows",
        title="Normalizing flows vs. diffusion",
        does="Train a flow live, score exact likelihoods, invert digits to latents, and race a flow against a DDPM.",
        concept="Normalizing flows vs. diffusion",
        models=("flows-digits-nsf", "flows-digits-ddpm"),
    ),
    Demo(
        name="confidence_vs_density",
        title="A classifier's confidence vs. distance from the class centres",
        does="Compare a classifier's confidence with a density model's distance, push points away from the data, and "
        "measure how well each score tells new kinds of input from familiar ones (AUROC: 1 is perfect, 0.5 is chance).",
        concept="Discriminative models vs. density",
        kind="streamlit",
    ),
    Demo(
        name="transformer",
        title="Transformer explorer",
        does="Look inside a running transformer: embeddings, positions, every attention head, cross-attention and generation step by step.",
        concept="Transformers",
        models=("toy-translator",),
    ),
    Demo(
        name="transfer",
        title="Transfer learning lab",
        does="Fine-tune a pre-trained CNN and a frozen text encoder with few labels, and check whether transfer is faster, more accurate and needs less data.",
        concept="Transfer learning",
        models=(
            "transfer-cnn-digits-0-4",
            "transfer-cnn-random-textures",
            "transfer-sentence-encoder",
        ),
    ),
)


def by_name(name: str) -> Demo:
    for demo in DEMOS:
        if demo.name == name:
            return demo
    raise KeyError(f"unknown demo {name!r}: choose one of {', '.join(d.name for d in DEMOS)}")


def gradio_demos() -> tuple[Demo, ...]:
    return tuple(d for d in DEMOS if d.kind == "gradio")


def streamlit_demos() -> tuple[Demo, ...]:
    return tuple(d for d in DEMOS if d.kind == "streamlit")
