"""The loaded models: each loaded once per process and kept, the bundled ones always, `GENAI_MODEL_CACHE` others.

Loading builds torch modules, and `from_pretrained` in transformers, diffusers and accelerate does it by
patching process-wide state (the meta device, `nn.Module.register_parameter`, `torch.nn.init`), so a module
built in another thread meanwhile comes out on the meta device or uninitialised. Every load, and every request
that builds a fresh module (`building()`), therefore holds one process-wide lock. A hub model's files are
downloaded before that lock is taken, so a download holds up no other request.
"""

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.runtime import hub
from core.runtime.resolution import resolve
from core.runtime.specs import CACHE_ENV, ModelUnavailable, bundled_dirs, owners_of, spec_for

DEFAULT_CACHED = 3

_loaded: OrderedDict[tuple[str, str], Any] = OrderedDict()  # least recently used first
_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()
_build_lock = threading.RLock()


@contextmanager
def building() -> Iterator[None]:
    """Hold the process-wide lock while building torch modules, so that no `from_pretrained` runs meanwhile."""
    with _build_lock:
        yield


def get_model(name: str, source: object = None) -> Any:
    """The loaded model for `name`, loading it on first use (one load per process and resolved source).

    Loads run one at a time, process-wide; a load that fails, or leaves parameters on the meta device, is not
    cached, and the next request tries again. Besides the bundled models, `GENAI_MODEL_CACHE` models stay loaded.
    """
    key = (name, resolve(name, source))
    with _guard:
        if key in _loaded:
            _loaded.move_to_end(key)
            return _loaded[key]
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            if key in _loaded:
                return _loaded[key]
        target = key[1]
        if not Path(target).is_dir():
            hub.download(target)  # before the build lock: other requests build their modules meanwhile
        with _build_lock:
            try:
                model = spec_for(name).load(target)
            except (OSError, ValueError) as err:  # a folder or id that holds no such model
                raise _not_a_model(name, target, err) from err
        if _half_built(model):
            raise ModelUnavailable(f"loading {name!r} left parameters on the meta device: try again in a moment")
        with _guard:
            _loaded[key] = model
            _evict()
    return model


def _not_a_model(name: str, target: str, err: Exception) -> ModelUnavailable:
    """The refusal of a folder or hub id that holds no `name` model. Another model's bundled folder is named by its
    model, without the server's path or the loader's words."""
    owners = owners_of(target)
    if owners and name not in owners:
        return ModelUnavailable(
            f"that folder holds the {owners[0]!r} model, not a {name!r} model: pick 'bundled' or a model from the menu"
        )
    first = str(err).strip().splitlines()[0] if str(err).strip() else "it holds no such model"
    return ModelUnavailable(
        f"could not load {target!r} as the {name!r} model ({first[:200]}): pick 'bundled' or a model from the menu"
    )


def _evict() -> None:
    """Drop the least recently used models beyond the cache size; bundled models always stay."""
    try:
        keep = max(0, int(os.environ.get(CACHE_ENV, "") or DEFAULT_CACHED))
    except ValueError:
        keep = DEFAULT_CACHED
    bundled = bundled_dirs()
    others = [key for key in _loaded if key[1] not in bundled]
    for key in others[: max(0, len(others) - keep)]:
        del _loaded[key]


def _half_built(model: Any, depth: int = 3) -> bool:
    """Whether any torch module in `model` (or in its attributes, `depth` levels down) holds a meta tensor."""
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    if isinstance(model, torch.nn.Module):
        return any(t.is_meta for t in (*model.parameters(), *model.buffers()))
    if depth == 0 or isinstance(model, str | bytes | int | float | Path) or not hasattr(model, "__dict__"):
        return False
    return any(_half_built(value, depth - 1) for value in vars(model).values())


def is_loaded(name: str, source: str | None = None) -> bool:
    return (name, resolve(name, source)) in _loaded
