"""The tuning lab's base model in the registry as "tuning-base": a bundled small GPT-2 on a CPU, or a
hub causal LM (a 0.5 B instruct-class model) on a GPU, loaded like the prompting lab's model."""

from pathlib import Path

from core.prompting.choices import BASE, INSTRUCT
from core.prompting.models import load
from core.runtime import ModelSpec, register

NAME = "tuning-base"
MODEL_DIR = Path(__file__).resolve().parent / "base"

SPEC = register(
    ModelSpec(
        name=NAME,
        bundled=MODEL_DIR,
        load=load,
        hub_default=INSTRUCT,
        choices=(BASE,),
        description="A 0.9 M-parameter character-level GPT-2 trained on generated reasoning tasks.",
    )
)
