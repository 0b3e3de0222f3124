"""The measured ladder on disk, read without torch: where it lives, its two files (ladder.json from
`core.scale.ladder`, abilities.json from `core.scale.abilities`), the phase-change runs of `core.scale.phase_change`,
and the names of what they hold, so that the scale demo builds its page from them without importing a
deep-learning library."""

import json
import os
from pathlib import Path

LADDER_DIR = Path(__file__).resolve().parent / "ladder_models"
LADDER_ENV = "GENAI_SCALE_LADDER"  # another ladder folder for the demo, e.g. a toy ladder in tests
LADDER_COMMANDS = (  # N: training tokens per member, the same for every member
    "python -m core.scale.ladder --tokens N --out core/scale/ladder_models",
    "python -m core.scale.abilities --ladder core/scale/ladder_models",
)
RESULTS = "abilities.json"
PHASE_DIR = Path(__file__).resolve().parent / "phase_runs"  # seed-<n>.json from core.scale.phase_change
ISOFLOP_FILE = Path(__file__).resolve().parent / "isoflop.json"  # the runs of core.scale.isoflop
ISOFLOP_COMMAND = (
    "python -m core.scale.isoflop --budgets 1e12,2e12,4e12 --members w16-d1,w32-d2,w64-d3,w96-d4,w128-d4,w160-d6 "
    "--batch-size 1 --out core/scale/isoflop.json"
)
PHASE_COMMAND = "python -m core.scale.phase_change --steps 1200 --seed S --out core/scale/phase_runs/seed-S.json"
ABILITIES = {
    "labels": "Unrelated labels (k = 4)",
    "mapping": "Word mapping (k = 4)",
    "arithmetic-cot": "Multi-step arithmetic, chain-of-thought (k = 4)",
    "arithmetic-direct": "Multi-step arithmetic, answer only (k = 4)",
}
SHORT = {  # as a sentence names them
    "labels": "unrelated labels",
    "mapping": "word mapping",
    "arithmetic-cot": "chain-of-thought arithmetic",
    "arithmetic-direct": "answer-only arithmetic",
}
METRICS = {
    "exact": "exact match",
    "logprob": "log-probability of the right reply",
    "edit": "token edit distance to the right reply",
}
AXES = {"parameters": ("parameters", "parameters (log)"), "FLOPs": ("flops", "training FLOPs = 6ND (log)")}


def ladder_dir() -> Path:
    """The ladder the demo shows: `GENAI_SCALE_LADDER` where set, else the shipped one."""
    return Path(os.environ.get(LADDER_ENV, "").strip() or LADDER_DIR)


def read_ladder(folder: Path) -> dict:
    """DIR/ladder.json's members, smallest first."""
    path = Path(folder) / "ladder.json"
    if not path.is_file():
        raise ValueError(f"no ladder.json in {folder}: train a ladder with python -m core.scale.ladder --out {folder}")
    members = json.loads(path.read_text())["members"]
    return dict(sorted(members.items(), key=lambda kv: kv[1]["parameters"]))


def read_results(folder: Path) -> dict | None:
    """DIR/abilities.json, or None where the ladder was not measured yet."""
    path = Path(folder) / RESULTS
    return json.loads(path.read_text()) if path.is_file() else None
