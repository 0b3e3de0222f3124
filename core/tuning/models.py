"""The tuning lab's models in the registry.

- The base model is the prompting lab's, "lab-lm" (`core.prompting.models`): the bundled base decoder on a CPU,
  a hub base model on a GPU. One model family runs from pre-training through prompting to instruction tuning and
  feedback tuning.
- "lab-lm-sft" and "lab-lm-ppo": that base model instruction-tuned, then feedback-tuned with PPO, bundled so that a
  page opened without a live run can still show base, instruction-tuned and feedback-tuned side by side
  (`python -m core.tuning.bundle` makes them; registered with the base model in `core.prompting.models`, whose
  folder holds them, so the prompting lab's Space carries them without the tuning lab).

`LAB_LENGTHS` are the question lengths the lab asks at, from which `base_question` draws every lab question: the
short end of each family's trained lengths, so that one live run on a CPU can teach a format in seconds.
"""

import random

from core.prompting.choices import NAME as NAME
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES

# The question lengths (people, words, steps) the lab asks at: within every family's trained lengths.
LAB_LENGTHS = {"coin_flip": (1, 2, 3, 4), "last_letter": (2, 3), "arithmetic": (1, 2, 3), "dates": (1, 2)}


def base_question(family: str, rng: random.Random, split: str, shortest: int | None = None) -> Problem:
    """A question of `family` at one of the lab's lengths (the `shortest` n lengths only, if given)."""
    return sample(FAMILIES[family], rng, rng.choice(LAB_LENGTHS[family][:shortest]), split)
