"""The tuning lab's base model in the registry as "tuning-base": a bundled small GPT-2 on a CPU, or a
hub causal LM (a 0.5 B instruct-class model) on a GPU, loaded like the prompting lab's model; and the question
lengths the bundled model was trained on (`TRAINED_LENGTHS`), from which `base_question` draws every lab question."""

import random
from pathlib import Path

from core.prompting.choices import BASE, INSTRUCT
from core.prompting.models import load
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES
from core.runtime import ModelSpec, register

NAME = "tuning-base"
MODEL_DIR = Path(__file__).resolve().parent / "base"

# A 0.9 M-parameter character-level GPT-2 trained on generated reasoning tasks
SPEC = register(ModelSpec(name=NAME, bundled=MODEL_DIR, load=load, hub=(INSTRUCT, BASE)))

# The question lengths (people, words, steps) each family had when the base model was trained. The prompting lab's
# families have since grown longer for its own model; questions longer than these are outside this model's
# experience, so every question the lab asks is drawn from these lengths.
TRAINED_LENGTHS = {"coin_flip": (1, 2, 3, 4), "last_letter": (2, 3), "arithmetic": (1, 2, 3), "dates": (1, 2)}


def base_question(family: str, rng: random.Random, split: str, shortest: int | None = None) -> Problem:
    """A question of `family` at a length the base model was trained on (the `shortest` n lengths only, if given)."""
    return sample(FAMILIES[family], rng, rng.choice(TRAINED_LENGTHS[family][:shortest]), split)
