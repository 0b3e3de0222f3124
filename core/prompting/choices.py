"""Where the lab's model comes from: the bundled model trained here, or a hub base/instruct pair.

The pair lets a student compare one model before and after instruction tuning on a zero-shot prompt.
"""

from pathlib import Path

NAME = "lab-lm"  # the registry name
MODEL_DIR = Path(__file__).resolve().parent / "model"
BUNDLED = "bundled"  # the registry's word for the bundled copy (core.runtime.registry.BUNDLED)
BASE = "Qwen/Qwen2.5-0.5B"
INSTRUCT = "Qwen/Qwen2.5-0.5B-Instruct"
SOURCES = (BUNDLED, BASE, INSTRUCT)
# The tuning lab's bundled tuned copies of the bundled model (registered by core.prompting.models), so that zero-shot
# and few-shot prompts can be compared on the base, instruction-tuned and feedback-tuned models of one family.
TUNED = {"bundled-sft": "lab-lm-sft", "bundled-ppo": "lab-lm-ppo"}


def with_tuned(menu: list[str]) -> list[str]:
    """A model menu with the bundled tuned models right after the bundled base model."""
    at = menu.index(BUNDLED) + 1 if BUNDLED in menu else 0
    return [*menu[:at], *TUNED, *menu[at:]]
