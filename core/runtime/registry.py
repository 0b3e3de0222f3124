"""The model registry: a demo asks for a model by short name and gets it loaded once per process.

A name resolves to its bundled directory in this repo (the offline default) or to a hub id, set
by the environment variable `GENAI_MODEL_<NAME>` or passed by the UI. Loading is lazy, cached and
thread-safe; a hub id that cannot be reached fails within seconds with a message naming the
bundled alternative.
"""

import importlib
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HUB_PROBE_TIMEOUT_S = 4.0
BUNDLED = "bundled"


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
    hub_default: str | None = None
    description: str = ""

    @property
    def env_var(self) -> str:
        return "GENAI_MODEL_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper())


_specs: dict[str, ModelSpec] = {}
_loaded: dict[tuple[str, str], Any] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()


def register(spec: ModelSpec) -> ModelSpec:
    """Add `spec` to the registry (idempotent for the same name)."""
    _specs[spec.name] = spec
    return spec


def spec_for(name: str) -> ModelSpec:
    try:
        return _specs[name]
    except KeyError:
        known = ", ".join(sorted(_specs)) or "none registered yet"
        raise ModelUnavailable(f"unknown model {name!r}: known models are {known}") from None


def resolve(name: str, source: str | None = None) -> str:
    """The directory or hub id that `name` loads from.

    `source` wins (the UI's choice: "bundled" or a hub id); then `GENAI_MODEL_<NAME>`; then the bundled copy.
    """
    spec = spec_for(name)
    choice = (source or os.environ.get(spec.env_var, "") or BUNDLED).strip()
    if choice == BUNDLED:
        if not spec.bundled.is_dir():
            raise ModelUnavailable(
                f"the bundled model {name!r} is missing at {spec.bundled}: run its training command to rebuild it"
            )
        return str(spec.bundled)
    return choice


def default_source(name: str) -> str:
    """What a model menu should preselect: the hub id in `GENAI_MODEL_<NAME>`, else "bundled"."""
    return os.environ.get(spec_for(name).env_var, "").strip() or BUNDLED


def get_model(name: str, source: str | None = None) -> Any:
    """The loaded model for `name`, loading it on first use (one load per process and source)."""
    target = resolve(name, source)
    key = (name, target)
    with _guard:
        if key in _loaded:
            return _loaded[key]
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _loaded:
            if not Path(target).is_dir():
                _check_hub_reachable(target)
            _loaded[key] = spec_for(name).load(target)
    return _loaded[key]


def is_loaded(name: str, source: str | None = None) -> bool:
    return (name, resolve(name, source)) in _loaded


def warm_up(names: Iterable[str]) -> threading.Thread:
    """Load bundled models in a background thread; errors are left for first use to report.

    Each entry is a registry name, or "package.module:name" to import the module that registers it first,
    so heavy libraries load in the background rather than while the server starts.
    """

    def run() -> None:
        for entry in names:
            module, _, name = entry.rpartition(":")
            try:
                if module:
                    importlib.import_module(module)
                get_model(name)
            except Exception:  # noqa: BLE001 - the first real request reports the error to the user
                continue

    thread = threading.Thread(target=run, name="model-warm-up", daemon=True)
    thread.start()
    return thread


def _check_hub_reachable(hub_id: str) -> None:
    """Fail fast, with the bundled alternative named, when `hub_id` is neither cached nor reachable."""
    from huggingface_hub import model_info, snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError

    alternative = "pick one of the bundled models in the model menu instead"
    try:
        snapshot_download(hub_id, local_files_only=True)
        return  # already in the local cache: loads without the network
    except (LocalEntryNotFoundError, FileNotFoundError, ValueError):
        pass
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        raise ModelUnavailable(f"{hub_id!r} is not downloaded on this server, which works offline: {alternative}")
    try:
        model_info(hub_id, timeout=HUB_PROBE_TIMEOUT_S)
    except RepositoryNotFoundError:
        raise ModelUnavailable(
            f"{hub_id!r} does not exist on the Hugging Face Hub (check the id): {alternative}"
        ) from None
    except Exception as err:  # noqa: BLE001 - any failure of the probe (DNS, TLS, HTTP, timeout) means unreachable
        raise ModelUnavailable(
            f"the Hugging Face Hub could not be reached for {hub_id!r} ({type(err).__name__}): {alternative}"
        ) from None
