"""Model specs: how to find and load each model, registered under a short name.

Each bundled name is registered by its subpackage's `models` module (`REGISTERED_BY`), which `spec_for` imports
on first use: a demo, the warm-up and a Space ask for a model by its name alone.
"""

import dataclasses
import importlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUNDLED = "bundled"  # the source that names a model's bundled directory
CACHE_ENV = "GENAI_MODEL_CACHE"  # how many models besides the bundled ones stay loaded; not a model's variable
REGISTERED_BY = {  # registry name -> the module that registers it (imported by `spec_for` on first use)
    "lab-lm": "core.prompting.models",
    "lab-lm-sft": "core.prompting.models",
    "lab-lm-ppo": "core.prompting.models",
    "text-to-image": "core.diffusion.models",
    "text-to-image-distilled": "core.diffusion.models",
    "flows-digits-nsf": "core.flows.models",
    "flows-digits-ddpm": "core.flows.models",
    "toy-translator": "core.attention.models",
    "transformer-hub": "core.attention.models",
    "transfer-cnn-digits-0-4": "core.transfer.models",
    "transfer-cnn-random-textures": "core.transfer.models",
    "transfer-sentence-encoder": "core.transfer.models",
}


class ModelUnavailable(RuntimeError):
    """The asked-for model cannot be loaded here; the message says what to use instead."""


@dataclass(frozen=True)
class ModelSpec:
    """How to find and load one model.

    `load(source)` receives a local directory or a hub id and returns the ready model
    (for example a pipeline built with `from_pretrained`).
    """

    name: str
    bundled: Path
    load: Callable[[str], Any]
    hub: tuple[str, ...] = ()  # the hub ids its menu offers, the default first

    @property
    def hub_default(self) -> str | None:
        """The hub id a GPU Space runs instead of the bundled model; None when the menu offers none."""
        return self.hub[0] if self.hub else None

    @property
    def env_var(self) -> str:
        return "GENAI_MODEL_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper())


_specs: dict[str, ModelSpec] = {}
_registering = threading.Lock()


def _same(a: ModelSpec, b: ModelSpec) -> bool:
    """Whether two specs describe one model: equal fields, and loaders of one qualified name (a module imported
    twice, as `__main__` and by name, makes two function objects of one loader)."""

    def loader(spec: ModelSpec) -> str:
        return getattr(spec.load, "__qualname__", repr(spec.load))

    same_loader = a.load is b.load or loader(a) == loader(b)
    return same_loader and dataclasses.replace(a, load=None) == dataclasses.replace(b, load=None)


def register(spec: ModelSpec) -> ModelSpec:
    """Add `spec` to the registry and return the registered spec.

    Registering the same spec again is a no-op (a module imported twice registers twice); another spec under a
    name already taken is a ValueError, since silently replacing it would change what every demo loads.
    """
    with _registering:
        known = _specs.setdefault(spec.name, spec)
    if known is not spec and not _same(known, spec):
        raise ValueError(
            f"the model name {spec.name!r} is already registered for {known.bundled}: give the new model another name"
        )
    return known


def registering_module(name: str) -> str | None:
    """The module that registers `name` (see `REGISTERED_BY`); None for a name registered elsewhere."""
    return REGISTERED_BY.get(name)


def spec_for(name: str) -> ModelSpec:
    """The spec of `name`, importing the module that registers it first if need be."""
    if name not in _specs and name in REGISTERED_BY:
        importlib.import_module(REGISTERED_BY[name])
    try:
        return _specs[name]
    except KeyError:
        known = ", ".join(sorted({*_specs, *REGISTERED_BY})) or "none registered yet"
        raise ModelUnavailable(f"unknown model {name!r}: known models are {known}") from None


def bundled_dirs() -> set[str]:
    """The bundled directories of every registered model."""
    return {str(s.bundled) for s in _specs.values()}


def owners_of(folder: str) -> list[str]:
    """The names of the registered models whose bundled directory is `folder`."""
    return [spec.name for spec in _specs.values() if str(spec.bundled) == folder]
