"""The ladder's members in the model registry, one name each ("scale-ladder-w16-d1", ...), loaded like the lab's
model (`core.prompting.models.load`) from their folders under `core/scale/ladder_models/`."""

from pathlib import Path

from core.prompting.models import LanguageModel, load
from core.runtime import ModelSpec, get_model, register
from core.runtime.specs import BUNDLED
from core.scale.ladder import LADDER
from core.scale.ladder_files import LADDER_DIR

SPECS = {m.name: register(ModelSpec(f"scale-ladder-{m.name}", LADDER_DIR / m.name, load)) for m in LADDER}


def member_model(folder: Path, member: str) -> LanguageModel:
    """Member `member` of the ladder in `folder`, loaded once per process by the registry."""
    if member not in SPECS:
        raise ValueError(f"unknown ladder member {member!r}: choose from {', '.join(SPECS)}")
    source = folder / member
    if not source.is_dir():
        raise ValueError(f"no member {member} in {folder}: train it with python -m core.scale.ladder")
    shipped = source.resolve() == (LADDER_DIR / member).resolve()
    return get_model(SPECS[member].name, BUNDLED if shipped else str(source))  # a public server loads only shipped
