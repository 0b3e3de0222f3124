"""The tuning lab's models in the registry.

- The base model is the prompting lab's, "lab-lm" (`core.prompting.models`): the bundled base decoder on a CPU,
  a hub base model on a GPU. One model family runs from pre-training through prompting to instruction tuning and
  feedback tuning.
- "lab-lm-sft" and "lab-lm-ppo": that base model instruction-tuned, then feedback-tuned with PPO, bundled so that a
  page opened without a live run can still show base, instruction-tuned and feedback-tuned side by side
  (`python -m core.tuning.bundle` makes them). They are always the bundled copies: a GPU Space that prompts or
  tunes a hub base model has no tuned copy of it until a student makes one.

`LAB_LENGTHS` are the question lengths the lab asks at, from which `base_question` draws every lab question: the
short end of each family's trained lengths, so that one live run on a CPU can teach a format in seconds.
"""

import random
from dataclasses import replace
from pathlib import Path

from core.prompting.choices import NAME as NAME
from core.prompting.models import load
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES
from core.runtime import ModelSpec, register

TUNED_DIR = Path(__file__).resolve().parent / "tuned"
SFT_NAME = "lab-lm-sft"
PPO_NAME = "lab-lm-ppo"


# The base model instruction-tuned on the lab's default tasks (step 1's defaults)
def load_sft(source: str):
    return replace(load(source), name=SFT_NAME)  # pickled as this name (a ZeroGPU worker finds it loaded)


def load_ppo(source: str):
    return replace(load(source), name=PPO_NAME)


SFT_SPEC = register(ModelSpec(name=SFT_NAME, bundled=TUNED_DIR / "sft", load=load_sft))
# The instruction-tuned model after PPO against the "correct and concise" rater's reward model (step 3's defaults)
PPO_SPEC = register(ModelSpec(name=PPO_NAME, bundled=TUNED_DIR / "ppo", load=load_ppo))
TUNED_NAMES = {"instruction_tuned_model": SFT_NAME, "ppo_tuned_model": PPO_NAME}  # session key -> bundled stand-in

# The question lengths (people, words, steps) the lab asks at: within every family's trained lengths.
LAB_LENGTHS = {"coin_flip": (1, 2, 3, 4), "last_letter": (2, 3), "arithmetic": (1, 2, 3), "dates": (1, 2)}


def base_question(family: str, rng: random.Random, split: str, shortest: int | None = None) -> Problem:
    """A question of `family` at one of the lab's lengths (the `shortest` n lengths only, if given)."""
    return sample(FAMILIES[family], rng, rng.choice(LAB_LENGTHS[family][:shortest]), split)
