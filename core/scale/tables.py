"""The numbers behind "Foundation models and scale", each with its source.

Dataset sizes and the provider capability table are transcribed from the course notes
(Module Three, slides "Datasets for language models" and "Large Language Models"). Model sizes
and training tokens come from the papers that introduced each model.
"""

from dataclasses import dataclass

NOTES = "Course notes, Module Three (after Alan D. Thompson, LifeArchitect.ai, Mar/Apr 2023)"
CHINCHILLA_PAPER = "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models, Table 1"


@dataclass(frozen=True)
class PublishedModel:
    name: str
    year: int
    params_b: float  # parameters, billions
    tokens_b: float  # training tokens, billions
    source: str


@dataclass(frozen=True)
class Dataset:
    name: str
    used_by: str
    tokens_b: float  # billions of tokens
    size_tb: float  # terabytes of text
    source: str = NOTES
    estimate: bool = False


MODELS: tuple[PublishedModel, ...] = (
    PublishedModel("GPT-3", 2020, 175, 300, "Brown et al. 2020; " + CHINCHILLA_PAPER),
    PublishedModel("Jurassic-1", 2021, 178, 300, CHINCHILLA_PAPER),
    PublishedModel("Gopher", 2021, 280, 300, "Rae et al. 2021; " + CHINCHILLA_PAPER),
    PublishedModel("MT-NLG", 2022, 530, 270, "Smith et al. 2022; " + CHINCHILLA_PAPER),
    PublishedModel("LaMDA", 2022, 137, 168, "Thoppilan et al. 2022; " + CHINCHILLA_PAPER),
    PublishedModel("Chinchilla", 2022, 70, 1400, CHINCHILLA_PAPER),
    PublishedModel("PaLM", 2022, 540, 780, "Chowdhery et al. 2022, PaLM, Table 2"),
    PublishedModel("OPT-175B", 2022, 175, 180, "Zhang et al. 2022, OPT, Section 2"),
    PublishedModel("BLOOM", 2022, 176, 366, "BigScience 2022, BLOOM, Section 3"),
    PublishedModel("LLaMA-7B", 2023, 6.7, 1000, "Touvron et al. 2023, LLaMA, Table 2"),
    PublishedModel("LLaMA-65B", 2023, 65.2, 1400, "Touvron et al. 2023, LLaMA, Table 2"),
)

CORPORA: tuple[Dataset, ...] = (
    Dataset("GPT-3 dataset", "GPT-3", 499, 0.75),
    Dataset("The Pile", "GPT-Neo", 247, 0.8),
    Dataset("MassiveText", "Chinchilla", 2300, 10.5),
    Dataset("Infiniset", "LaMDA", 2800, 12.6),
    Dataset("Stability The Pile", "StableLM", 1500, 5),
    Dataset("RedPajama", "RedPajama", 1200, 4),
    Dataset("GPT-4 (estimate)", "GPT-4", 20000, 40, estimate=True),
)

CAPABILITIES: tuple[str, ...] = (
    "Publicly Available",
    "Commercial License",
    "Open",
    "Embeddings Available",
    "Fine-Tuning Available",
    "Text Generation",
    "Classification",
    "Response Generation",
    "Knowledge Answering (KI-NLP)",
    "Translation",
    "Multi-Lingual",
)

PROVIDERS: tuple[str, ...] = (
    "OpenAI (GPT3)",
    "Cohere",
    "GooseAI",
    "EleutherAI",
    "AI21labs",
    "Bloom",
    "LaMDA",
    "BlenderBot",
    "DialogPT",
    "GODEL",
    "NLLB",
    "Sphere",
)

# The notes' table marks every provider with a dot in every column.
CAPABILITY_TABLE: dict[str, frozenset[str]] = {provider: frozenset(CAPABILITIES) for provider in PROVIDERS}


def providers_with(required: list[str] | tuple[str, ...]) -> list[str]:
    """Providers whose row in the notes' table has a dot in every `required` column."""
    unknown = sorted(set(required) - set(CAPABILITIES))
    if unknown:
        raise ValueError(f"unknown capability {unknown}: choose from {', '.join(CAPABILITIES)}")
    return [p for p in PROVIDERS if set(required) <= CAPABILITY_TABLE[p]]
