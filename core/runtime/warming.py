"""The warm-up: a server imports the heavy libraries and loads its demos' models in the background as it starts,
and the requests of a cold start wait for those imports (not the loads): the one gate between a request and the
warm-up, `wait_for_warm_up`."""

import importlib
import sys
import threading
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

    First the modules that register them are imported (`REGISTERED_BY`), with the heavy modules their handlers
    import (`HANDLER_IMPORTS`), so heavy libraries load in the background rather than while the server starts;
    then the models load. Requests wait for the imports only (`wait_for_warm_up`).
    """
    names = list(names)
    registering = dict.fromkeys(REGISTERED_BY[name] for name in names if name in REGISTERED_BY)
    modules = [module for r in registering for module in (r, *HANDLER_IMPORTS.get(r, []))] + SHARED_IMPORTS
    _imported.clear()

    def run() -> None:
        try:
            with building():
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
