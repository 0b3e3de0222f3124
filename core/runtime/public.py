"""What a public server loads: the allowlist.

On a public server (`public_mode()`: on Spaces, with `--share` or `--public`) visitors load only what the
operator chose or already has: the bundled models (any demo's folder), every `GENAI_MODEL_<NAME>` value, the hub
ids listed in `GENAI_ALLOWED_MODELS`, and hub ids already in the local Hugging Face cache (a GPU Space preloads
its menu's). The catalog's other hub ids (`ModelSpec.hub`) load only for a model the server runs from the hub
(its `GENAI_MODEL_<NAME>` is set, as a GPU Space's `app.py` does), so a CPU server downloads nothing. Anything
else, a local path included, gets one and the same refusal before any request to the Hub, and the model menus
(`model_menu`) offer only what loads. A private server (a lecturer's own machine) loads any hub id or folder.
"""

import os
import re
from collections.abc import Iterable

from core.runtime.hub import in_hub_cache
from core.runtime.specs import BUNDLED, CACHE_ENV, bundled_dirs, spec_for

PUBLIC_ENV = "GENAI_PUBLIC"  # 1: a public server (see public_mode); 0: a private one even on Spaces
ALLOWED_ENV = "GENAI_ALLOWED_MODELS"  # hub ids a public server accepts besides the catalog's, comma-separated


def on_spaces() -> bool:
    """True on a Hugging Face Space (it sets SPACE_ID and SYSTEM=spaces)."""
    return bool(os.environ.get("SPACE_ID")) or os.environ.get("SYSTEM", "") == "spaces"


def public_mode() -> bool:
    """True when visitors are untrusted: `GENAI_PUBLIC=1` (set by `--public` and `--share`), or on Spaces
    unless `GENAI_PUBLIC=0`."""
    flag = os.environ.get(PUBLIC_ENV, "").strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    return on_spaces()


def _operator_choices() -> set[str]:
    """What the server's operator chose: every `GENAI_MODEL_<NAME>` value and the hub ids in `GENAI_ALLOWED_MODELS`."""
    settings = [v.strip() for k, v in os.environ.items() if k.startswith("GENAI_MODEL_") and k != CACHE_ENV]
    listed = re.split(r"[,\s]+", os.environ.get(ALLOWED_ENV, "").strip())
    return {choice for choice in (*settings, *listed) if choice}


def trusted(name: str, choice: str) -> bool:
    """Whether a public server may load `choice` for `name` (the rule in this module's docstring)."""
    spec = spec_for(name)
    runs_from_hub = bool(os.environ.get(spec.env_var, "").strip())
    return (
        choice in bundled_dirs()
        or choice in _operator_choices()
        or (runs_from_hub and choice in spec.hub)
        or in_hub_cache(choice)
    )


def model_menu(name: str, sources: Iterable[str]) -> list[str]:
    """The entries of `name`'s model menu: `sources` ("bundled" and hub ids), on a public server only those it loads."""
    if not public_mode():
        return list(sources)
    return [source for source in sources if source == BUNDLED or trusted(name, source)]
