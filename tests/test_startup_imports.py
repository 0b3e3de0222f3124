"""Start-up stays fast: building and mounting every Gradio demo imports no deep-learning or statistics library. Models and
their libraries load on a demo's first click, or in the launcher's background warm-up once the server is up."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("torch", "diffusers", "zuko", "sklearn", "transformers", "scipy", "statsmodels")  # claims load on a first run

# In a fresh interpreter (the test process has torch already): import each Gradio demo in catalog order, noting
# which heavy libraries each one pulls in first, then mount them all the way the launcher does.
BUILD_EVERY_DEMO = f"""
import importlib, json, sys
from apps.catalog import DEMOS, gradio_demos
from apps.launcher import build_app

heavy = {HEAVY!r}
first_imported_by = {{}}
for demo in gradio_demos():
    importlib.import_module(demo.module)
    for name in heavy:
        if name in sys.modules:
            first_imported_by.setdefault(name, demo.module)
build_app(DEMOS, streamlit_port=8999, warm_up=False)
for name in heavy:
    if name in sys.modules:
        first_imported_by.setdefault(name, "apps.launcher.build_app")
print(json.dumps(first_imported_by))
"""

# The launcher's warm-up asks the registry for each catalog name; the registry imports the module that registers it.
REGISTER_EVERY_MODEL = """
import json
from apps.catalog import DEMOS
from core.runtime.registry import ModelUnavailable, spec_for

unknown = []
for name in [m for demo in DEMOS for m in demo.models]:
    try:
        spec_for(name)
    except ModelUnavailable:
        unknown.append(name)
print(json.dumps(unknown))
"""


def run_fresh(code: str) -> object:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_mounting_every_gradio_demo_imports_no_deep_learning_library():
    first_imported_by = run_fresh(BUILD_EVERY_DEMO)
    assert first_imported_by == {}, (
        f"building the demos imported {first_imported_by} (library: first module to import it); move those "
        "imports into the handlers, and the constants the UI needs into a light core module such as core/flows/choices.py"
    )


def test_every_model_the_launcher_warms_up_is_registered_by_the_module_the_registry_names():
    assert run_fresh(REGISTER_EVERY_MODEL) == []
