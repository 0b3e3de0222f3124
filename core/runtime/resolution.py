"""Which directory or hub id a model name loads from: the UI's choice, else `GENAI_MODEL_<NAME>`, else the
bundled copy in this repo (the offline default)."""

import os
from pathlib import Path

from core.runtime.public import ALLOWED_ENV, model_menu, public_mode, trusted
from core.runtime.specs import BUNDLED, ModelUnavailable, spec_for
from core.runtime.validate import text


def resolve(name: str, source: object = None) -> str:
    """The directory or hub id that `name` loads from.

    `source` wins (the UI's choice: "bundled" or a hub id); then `GENAI_MODEL_<NAME>`; then the bundled copy.
    A local folder resolves to its absolute path, so every spelling of it is one model.
    """
    spec = spec_for(name)
    if source is None or (isinstance(source, str) and not source.strip()):
        source = os.environ.get(spec.env_var, "").strip() or BUNDLED
    choice = text(source, "model", max_chars=200, example=BUNDLED)
    if choice == BUNDLED:
        if not spec.bundled.is_dir():
            raise ModelUnavailable(
                f"the bundled model {name!r} is missing at {spec.bundled}: run its training command to rebuild it"
            )
        return str(spec.bundled)
    if public_mode() and not trusted(name, choice):
        menu = ", ".join(model_menu(name, [BUNDLED, *spec.hub]))
        raise ModelUnavailable(
            f"this public server runs only the models of its menu ({menu}) and downloads no others: choose one of "
            f"them. The server's operator can allow more hub ids in {ALLOWED_ENV}."
        )
    local = Path(choice).expanduser()
    return str(local.resolve()) if local.is_dir() else choice


def default_source(name: str) -> str:
    """What a model menu should preselect: the hub id in `GENAI_MODEL_<NAME>`, else "bundled"."""
    return os.environ.get(spec_for(name).env_var, "").strip() or BUNDLED
