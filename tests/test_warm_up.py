"""The warm-up is the one gate between a cold start's first requests and the heavy imports: once
`wait_for_warm_up` lets a request through, the modules the text-to-image handlers import are loaded and diffusers'
lazily loaded classes are resolved, so no request imports them while the warm-up does."""

import json
import subprocess
import sys

from tests.conftest import ROOT

# In a fresh interpreter (the test process has diffusers already): warm up the text-to-image model as a server does.
WARM_UP_TEXT_TO_IMAGE = """
import json, sys
from core.runtime import registry
from core.runtime.warming import HANDLER_IMPORTS

before = [m for m in ("diffusers", "core.diffusion.generate") if m in sys.modules]
thread = registry.warm_up(["text-to-image", "text-to-image-distilled"])
registry.wait_for_warm_up(timeout_s=600)  # however long a busy CPU takes
handlers = HANDLER_IMPORTS["core.diffusion.models"]
imported = [m for m in handlers if m in sys.modules]
resolved = [n for n in registry.LAZY_NAMES["diffusers"] if n in vars(sys.modules["diffusers"])]
thread.join()
print(json.dumps({"before": before, "imported": imported, "handlers": handlers, "resolved": resolved,
                  "loaded": registry.is_loaded("text-to-image")}))
"""


def test_requests_pass_the_gate_after_the_heavy_modules_are_imported():
    result = subprocess.run(
        [sys.executable, "-c", WARM_UP_TEXT_TO_IMAGE], cwd=ROOT, capture_output=True, text=True, timeout=590
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == []  # nothing heavy until the warm-up starts
    assert (
        seen["imported"]
        == seen["handlers"]
        == [
            "core.diffusion.generate",
            "core.diffusion.forward",
            "core.diffusion.charts",
        ]
    )
    assert "UNet2DConditionModel" in seen["resolved"] and "LCMScheduler" in seen["resolved"]
    assert seen["loaded"]


def test_a_demo_served_on_its_own_warms_up_the_models_of_its_catalog_entry(monkeypatch):
    import gradio as gr

    import core.runtime
    from apps import serving

    warmed, launched = [], []
    monkeypatch.setattr(core.runtime, "warm_up", lambda names: warmed.append(tuple(names)))
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kwargs: launched.append(kwargs))
    with gr.Blocks() as demo:
        gr.Markdown("a page")
    serving.launch(demo, "text_to_image")
    assert warmed == [("text-to-image", "text-to-image-distilled")] and launched
    serving.launch(demo)
    assert len(warmed) == 1 and len(launched) == 2


def test_a_request_waits_only_for_its_own_demos_imports_in_the_order_given(monkeypatch):
    """The transformer explorer's requests pass while the text-to-image imports are still going on (held here)."""
    import threading

    from core.runtime import warming

    held, importing = threading.Event(), []
    plain = warming._import_everything

    def importing_held(modules):
        importing.append(modules[0])
        if modules[0] == "core.diffusion.models":
            assert held.wait(60)
        plain(modules)

    monkeypatch.setattr(warming, "_import_everything", importing_held)
    thread = warming.warm_up(["toy-translator", "text-to-image", "text-to-image-distilled"])
    try:
        warming.wait_for_warm_up(["core.attention.models"], timeout_s=60)
        assert warming._ready["core.attention.models"].is_set()
        warming.wait_for_warm_up(["core.diffusion.models"], timeout_s=0.2)  # gives up: still importing
        assert not warming._ready["core.diffusion.models"].is_set() and not warming._imported.is_set()
    finally:
        held.set()
    warming.wait_for_warm_up(timeout_s=60)
    thread.join(60)
    assert importing == [warming.SHARED_IMPORTS[0], "core.attention.models", "core.diffusion.models"]
    assert warming._ready["core.diffusion.models"].is_set()


def test_a_catalog_demo_waits_for_its_models_modules_and_any_other_demo_for_everything():
    import gradio as gr

    from apps.errors import warm_up_modules
    from apps.transformer import demo

    assert warm_up_modules(demo) == ["core.attention.models"]
    with gr.Blocks() as other:
        pass
    assert warm_up_modules(other) is None
