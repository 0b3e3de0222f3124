"""The warm-up: a server imports the heavy libraries and loads its demos' models in the background as it starts,
demo by demo in the order it is given (the cheapest imports first, so most demos answer soonest), and a request of
a cold start waits for the imports its own demo needs (not the loads), and for no other demo's: the one gate between
a request and the warm-up, `wait_for_warm_up`."""

import importlib
import sys
import threading
import time
from collections.abc import Iterable

from core.runtime.model_cache import building, get_model
from core.runtime.specs import REGISTERED_BY

# imported by the warm-up too: every demo draws its charts with plotly, whose first use in two request threads at
# once can deadlock (`_DeadlockError`: the narwhals modules it imports on first use import each other)
SHARED_IMPORTS = ["plotly.graph_objects"]
# registering modules that import nothing heavy themselves -> the modules through which their demo's handlers load
# torch, diffusers and plotly, imported by the warm-up before requests pass `wait_for_warm_up`
HANDLER_IMPORTS = {
    "core.diffusion.models": ["core.diffusion.generate", "core.diffusion.forward", "core.diffusion.charts"],
}
WARM_UP_WAIT_S = 60.0  # the longest a request waits for the warm-up's imports before it runs anyway
LAZY_NAMES = {  # classes that diffusers and transformers import on first use, resolved by the warm-up first
    "diffusers": (
        "DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler", "EulerDiscreteScheduler",
        "UNet2DModel", "UNet2DConditionModel", "DiffusionPipeline", "AutoPipelineForText2Image", "LCMScheduler",
        "StableDiffusionPipeline",
    ),
    "transformers": ("AutoModelForCausalLM", "AutoTokenizer", "GPT2LMHeadModel", "PreTrainedTokenizerFast"),
    "plotly.graph_objects": ("Figure",),
}  # fmt: skip
_imported = threading.Event()  # set once the warm-up has imported everything
_imported.set()  # nothing to wait for until a warm-up starts
_shared = threading.Event()  # set once the warm-up has imported SHARED_IMPORTS
_shared.set()
_ready: dict[str, threading.Event] = {}  # registering module -> set once it and its handlers' modules are imported


def wait_for_warm_up(modules: Iterable[str] | None = None, timeout_s: float = WARM_UP_WAIT_S) -> None:
    """Block while the warm-up imports what a request needs (at most `timeout_s` in all): the shared imports, and
    the registering modules `modules` of its demo's models (None: everything). diffusers and transformers resolve
    their classes lazily on first use, and a request resolving them while the warm-up does can find a module half
    loaded (`cannot import name ...`): so a request waits until the warm-up has imported its demo's modules and
    resolved the classes of the libraries they brought in, and runs while the warm-up goes on with other demos."""
    deadline = time.monotonic() + timeout_s
    gates = [_shared, *(_ready[m] for m in modules if m in _ready)] if modules is not None else [_imported]
    for gate in gates:
        gate.wait(max(0.0, deadline - time.monotonic()))


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
    """Load the models called `names` in a background thread, in that order; errors are left for first use to report.

    First the shared imports (`SHARED_IMPORTS`); then, for each model's registering module (`REGISTERED_BY`) in the
    order of `names`, that module and the heavy modules its demo's handlers import (`HANDLER_IMPORTS`), after which
    requests of that demo pass `wait_for_warm_up`, and then the models it registers load.
    """
    names = list(names)
    registering = list(dict.fromkeys(REGISTERED_BY[name] for name in names if name in REGISTERED_BY))
    _imported.clear()
    _shared.clear()
    for module in registering:
        _ready[module] = threading.Event()

    def load(module: str | None) -> None:
        for name in names:
            if REGISTERED_BY.get(name) == module:
                try:
                    get_model(name)
                except Exception:  # noqa: BLE001 - the first real request reports the error to the user
                    continue

    def run() -> None:
        try:
            with building():
                _import_everything(SHARED_IMPORTS)
            _shared.set()
            for module in registering:
                try:
                    with building():
                        _import_everything([module, *HANDLER_IMPORTS.get(module, [])])
                finally:
                    _ready[module].set()
                load(module)
        finally:
            _shared.set()
            for gate in _ready.values():
                gate.set()
            _imported.set()
        load(None)  # models no module registers: their first use reports why

    thread = threading.Thread(target=run, name="model-warm-up", daemon=True)
    thread.start()
    return thread
