"""The model registry: a demo asks for a model by short name and gets it loaded once per process.

A name resolves to its bundled directory in this repo (the offline default) or to a hub id, set by the environment
variable `GENAI_MODEL_<NAME>` or passed by the UI. Loading is lazy, cached and thread-safe; a hub id that cannot be
reached fails within seconds with a message naming the bundled alternative. Each concern reads alone:

- `specs`: what a model is and who registers it (`ModelSpec`, `register`, `spec_for`, `REGISTERED_BY`);
- `resolution`: which folder or hub id a name loads from (`resolve`, `default_source`);
- `public`: what a public server loads (`public_mode`, `model_menu`);
- `hub`: the files a loader reads and their download (`files_to_fetch`);
- `model_cache`: loading once, the process-wide build lock and the cache (`get_model`, `building`, `is_loaded`);
- `warming`: the background warm-up as a server starts (`warm_up`, `wait_for_warm_up`).

This module gathers their public names, so that `core.runtime.registry` is the one place to import them from.
"""

from core.runtime.hub import HUB_PROBE_TIMEOUT_S, files_to_fetch
from core.runtime.model_cache import DEFAULT_CACHED, building, get_model, is_loaded
from core.runtime.public import ALLOWED_ENV, PUBLIC_ENV, model_menu, on_spaces, public_mode
from core.runtime.resolution import default_source, resolve
from core.runtime.specs import (
    BUNDLED,
    CACHE_ENV,
    REGISTERED_BY,
    ModelSpec,
    ModelUnavailable,
    register,
    registering_module,
    spec_for,
)
from core.runtime.warming import LAZY_NAMES, SHARED_IMPORTS, WARM_UP_WAIT_S, wait_for_warm_up, warm_up

__all__ = [
    "ALLOWED_ENV",
    "BUNDLED",
    "CACHE_ENV",
    "DEFAULT_CACHED",
    "HUB_PROBE_TIMEOUT_S",
    "LAZY_NAMES",
    "PUBLIC_ENV",
    "REGISTERED_BY",
    "SHARED_IMPORTS",
    "WARM_UP_WAIT_S",
    "ModelSpec",
    "ModelUnavailable",
    "building",
    "default_source",
    "files_to_fetch",
    "get_model",
    "is_loaded",
    "model_menu",
    "on_spaces",
    "public_mode",
    "register",
    "registering_module",
    "resolve",
    "spec_for",
    "wait_for_warm_up",
    "warm_up",
]
