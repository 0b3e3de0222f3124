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
