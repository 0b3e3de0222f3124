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
