"""The model registry: a demo asks for a model by short name and gets it loaded once per process.

A name resolves to its bundled directory in this repo (the offline default) or to a hub id, set
by the environment variable `GENAI_MODEL_<NAME>` or passed by the UI. Loading is lazy, cached and
thread-safe; a hub id that cannot be reached fails within seconds with a message naming the
bundled alternative.

Each bundled name is registered by its subpackage's `models` module (`REGISTERED_BY`), which `spec_for` imports
on first use: a demo, the warm-up and a Space ask for a model by its name alone.

On a public server (`public_mode()`: on Spaces, with `--share` or `--public`) visitors load only what the
operator chose or already has: the bundled models (any demo's folder), every `GENAI_MODEL_<NAME>` value, the hub
ids listed in `GENAI_ALLOWED_MODELS`, and hub ids already in the local Hugging Face cache (a GPU Space preloads
its menu's). The catalog's other hub ids (`ModelSpec.hub_default` and `choices`) load only for a model the server
runs from the hub (its `GENAI_MODEL_<NAME>` is set, as a GPU Space's `app.py` does), so a CPU server downloads
nothing. Anything else, a local path included, gets one and the same refusal before any request to the Hub, and
the model menus (`model_menu`) offer only what loads. A private server (a lecturer's own machine) loads any hub
id or folder.

Loading builds torch modules, and `from_pretrained` in transformers, diffusers and accelerate does it by
patching process-wide state (the meta device, `nn.Module.register_parameter`, `torch.nn.init`), so a module
built in another thread meanwhile comes out on the meta device or uninitialised. Every load, and every request
that builds a fresh module (`building()`), therefore holds one process-wide lock. A hub model's files are
downloaded before that lock is taken, so a download holds up no other request.
"""

import dataclasses
import importlib
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runtime.validate import text

HUB_PROBE_TIMEOUT_S = 4.0
BUNDLED = "bundled"
PUBLIC_ENV = "GENAI_PUBLIC"  # 1: a public server (see public_mode); 0: a private one even on Spaces
ALLOWED_ENV = "GENAI_ALLOWED_MODELS"  # hub ids a public server accepts besides the catalog's, comma-separated
CACHE_ENV = "GENAI_MODEL_CACHE"  # how many models besides the bundled ones stay loaded (least recently used go)
DEFAULT_CACHED = 3
REGISTERED_BY = {  # registry name -> the module that registers it (imported by `spec_for` on first use)
    "lab-lm": "core.prompting.models",
    "tuning-base": "core.tuning.models",
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
    hub_default: str | None = None
    description: str = ""
    choices: tuple[str, ...] = ()  # further hub ids the demo's model menu offers

    @property
    def env_var(self) -> str:
        return "GENAI_MODEL_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper())


_specs: dict[str, ModelSpec] = {}
_loaded: OrderedDict[tuple[str, str], Any] = OrderedDict()  # least recently used first
_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()
_build_lock = threading.RLock()


@contextmanager
def building() -> Iterator[None]:
    """Hold the process-wide lock while building torch modules, so that no `from_pretrained` runs meanwhile."""
    with _build_lock:
        yield


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
    with _guard:
        known = _specs.setdefault(spec.name, spec)
    if known is not spec and not _same(known, spec):
        raise ValueError(
            f"the model name {spec.name!r} is already registered for {known.bundled} "
            f"({known.description or 'no description'}): give the new model another name"
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


def _in_hub_cache(hub_id: str) -> bool:
    """Whether `hub_id` is in the local Hugging Face cache (its config is there), looked up without the network."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return any(isinstance(try_to_load_from_cache(hub_id, f), str) for f in ("config.json", "model_index.json"))
    except ValueError:  # not a hub id at all (a path, say)
        return False


def _bundled_dirs() -> set[str]:
    return {str(s.bundled) for s in _specs.values()}


def _trusted(name: str, choice: str) -> bool:
    """Whether a public server may load `choice` for `name` (the rule in this module's docstring)."""
    spec = spec_for(name)
    runs_from_hub = bool(os.environ.get(spec.env_var, "").strip())
    return (
        choice in _bundled_dirs()
        or choice in _operator_choices()
        or (runs_from_hub and choice in (spec.hub_default, *spec.choices))
        or _in_hub_cache(choice)
    )


def model_menu(name: str, sources: Iterable[str]) -> list[str]:
    """The entries of `name`'s model menu: `sources` ("bundled" and hub ids), on a public server only those it loads."""
    if not public_mode():
        return list(sources)
    return [source for source in sources if source == BUNDLED or _trusted(name, source)]


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
    if public_mode() and not _trusted(name, choice):
        menu = ", ".join(model_menu(name, [BUNDLED, *(i for i in (spec.hub_default, *spec.choices) if i)]))
        raise ModelUnavailable(
            f"this public server runs only the models of its menu ({menu}) and downloads no others: choose one of "
            f"them. The server's operator can allow more hub ids in {ALLOWED_ENV}."
        )
    local = Path(choice).expanduser()
    return str(local.resolve()) if local.is_dir() else choice


def default_source(name: str) -> str:
    """What a model menu should preselect: the hub id in `GENAI_MODEL_<NAME>`, else "bundled"."""
    return os.environ.get(spec_for(name).env_var, "").strip() or BUNDLED


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
            _download(target)  # before the build lock: other requests build their modules meanwhile
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
    owners = [spec.name for spec in _specs.values() if str(spec.bundled) == target]
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
    bundled = _bundled_dirs()
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


# imported by the warm-up too: every demo draws its charts with plotly, whose first use in two request threads at
# once can deadlock (`_DeadlockError`: the narwhals modules it imports on first use import each other)
SHARED_IMPORTS = ["plotly.graph_objects"]
WARM_UP_WAIT_S = 60.0  # the longest a request waits for the warm-up's imports before it runs anyway
LAZY_NAMES = {  # classes that diffusers and transformers import on first use, resolved by the warm-up first
    "diffusers": (
        "DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler", "EulerDiscreteScheduler",
        "UNet2DModel", "UNet2DConditionModel", "DiffusionPipeline", "AutoPipelineForText2Image",
    ),
    "transformers": ("AutoModelForCausalLM", "AutoTokenizer", "GPT2LMHeadModel", "PreTrainedTokenizerFast"),
    "plotly.graph_objects": ("Figure",),
}  # fmt: skip
_imported = threading.Event()
_imported.set()  # nothing to wait for until a warm-up starts


def wait_for_warm_up(timeout_s: float = WARM_UP_WAIT_S) -> None:
    """Block while the warm-up imports (at most `timeout_s`). diffusers and transformers resolve their classes
    lazily on first use, and a request resolving them while the warm-up does can find a module half loaded
    (`cannot import name ...`): requests of a cold start wait for the warm-up's imports, not its loads."""
    _imported.wait(timeout_s)


def _import_everything(modules: list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the first real request reports the error to the user
            continue
    for library, names in LAZY_NAMES.items():
        if library in sys.modules:
            for attribute in names:
                try:
                    getattr(sys.modules[library], attribute)
                except (AttributeError, ImportError):
                    continue


def warm_up(names: Iterable[str]) -> threading.Thread:
    """Load the models called `names` in a background thread; errors are left for first use to report.

    First the modules that register them are imported (`REGISTERED_BY`), so heavy libraries load in the background
    rather than while the server starts; then the models load. Requests wait for the imports only
    (`wait_for_warm_up`).
    """
    names = list(names)
    modules = list(dict.fromkeys(REGISTERED_BY[name] for name in names if name in REGISTERED_BY))
    modules += SHARED_IMPORTS
    _imported.clear()

    def run() -> None:
        try:
            with _build_lock:
                _import_everything(modules)
        finally:
            _imported.set()
        for name in names:
            try:
                get_model(name)
            except Exception:  # noqa: BLE001 - the first real request reports the error to the user
                continue

    thread = threading.Thread(target=run, name="model-warm-up", daemon=True)
    thread.start()
    return thread


WEIGHTS = (".safetensors", ".bin", ".ckpt", ".pt", ".pth", ".h5", ".msgpack", ".ot", ".onnx", ".onnx_data",
           ".tflite", ".gguf")  # fmt: skip


def files_to_fetch(files: Iterable[str]) -> list[str]:
    """The files of a hub repository that `from_pretrained` reads: every file but weights, and in each folder the
    PyTorch weights (safetensors rather than .bin; no precision variant such as `model.fp16.safetensors`; in a
    diffusers pipeline, none of the single-file checkpoints beside its folders)."""
    files = list(files)
    pipeline = "model_index.json" in files
    chosen = [f for f in files if not f.endswith(WEIGHTS)]
    folders: dict[str, list[str]] = {}
    for f in files:
        folder, _, file = f.rpartition("/")
        if f.endswith(WEIGHTS) and file.count(".") == 1 and (folder or not pipeline):
            folders.setdefault(folder, []).append(f)
    for weights in folders.values():
        safetensors = [f for f in weights if f.endswith(".safetensors")]
        chosen += safetensors or [f for f in weights if f.endswith(".bin") and "pytorch_model" in f]
    return chosen


def _download(hub_id: str) -> None:
    """Fetch what a loader reads of `hub_id` into the local Hugging Face cache, unless it is there already; fail
    fast, with the bundled alternative named, when the Hub cannot be reached."""
    from huggingface_hub import model_info, snapshot_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    alternative = "pick one of the bundled models in the model menu instead"
    if _in_hub_cache(hub_id):
        return
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        raise ModelUnavailable(f"{hub_id!r} is not downloaded on this server, which works offline: {alternative}")
    try:
        info = model_info(hub_id, timeout=HUB_PROBE_TIMEOUT_S)
    except RepositoryNotFoundError:
        raise ModelUnavailable(
            f"{hub_id!r} does not exist on the Hugging Face Hub (check the id): {alternative}"
        ) from None
    except Exception as err:  # noqa: BLE001 - any failure of the probe (DNS, TLS, HTTP, timeout) means unreachable
        raise ModelUnavailable(
            f"the Hugging Face Hub could not be reached for {hub_id!r} ({_what_failed(err)}): {alternative}"
        ) from None
    try:
        snapshot_download(hub_id, allow_patterns=files_to_fetch(s.rfilename for s in info.siblings or ()))
    except GatedRepoError:
        raise ModelUnavailable(
            f"{hub_id!r} is gated on the Hub and this server has no access token: {alternative}"
        ) from None
    except Exception as err:  # noqa: BLE001 - a dropped connection or a full disk: the model is not there either way
        raise ModelUnavailable(
            f"the download of {hub_id!r} stopped ({_what_failed(err)}, or no room for its files): try again, or "
            f"{alternative}"
        ) from None


def _what_failed(err: Exception) -> str:
    """A failed request to the Hub in words, for a visitor (no class names, no server paths)."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if status:
        return f"it answered with HTTP status {status}"
    return f"no network, or no answer within {HUB_PROBE_TIMEOUT_S:g} s"
