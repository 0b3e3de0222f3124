"""The repository's spaces/ folder holds scripts, not a package: from the repository root, `import spaces` still
finds ZeroGPU's package, the installed `spaces` distribution, which gradio imports on a Space (SYSTEM=spaces) and
`core.runtime.gpu` uses there."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

ON_A_SPACE = """
import importlib
import importlib.metadata
import json

import spaces  # first, as a Space's app.py does on ZeroGPU: gradio then finds it and wraps every event with it

import gradio as gr

gpu_module = importlib.import_module("core.runtime.gpu")  # the module; `core.runtime.gpu` is also the decorator

def double(x):
    return 2 * x

with gr.Blocks() as demo:  # gradio wraps every event handler with spaces.gradio_auto_wrap on a Space
    number = gr.Number()
    gr.Button().click(gpu_module.gpu(duration=5)(double), number, number)
gpu_module.on_zerogpu = lambda: True  # the decorator's ZeroGPU path, with the real package (idle off ZeroGPU)
assert gpu_module.gpu(duration=5)(double)(2) == 4
installed = importlib.metadata.distribution("spaces").locate_file("spaces/__init__.py")
print(json.dumps({"found": spaces.__file__, "installed": str(installed)}))
"""


def import_spaces_as_a_space_does(python: str, root: Path) -> tuple[Path, Path]:
    """Run ON_A_SPACE with `python` in `root`, as a Space runs its app.py: the file `import spaces` found, and the
    `__init__.py` that the installed `spaces` distribution put in place."""
    env = {**os.environ, "SYSTEM": "spaces", "SPACE_ID": "someone/prompting", "PYTHONPATH": str(root)}
    env.pop("SPACES_ZERO_GPU", None)
    result = subprocess.run([python, "-c", ON_A_SPACE], cwd=root, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    where = json.loads(result.stdout.splitlines()[-1])
    return Path(where["found"]).resolve(), Path(where["installed"]).resolve()


def test_gradio_and_the_gpu_decorator_find_zerogpus_package_from_the_repository_root():
    found, installed = import_spaces_as_a_space_does(sys.executable, ROOT)
    assert found == installed, f"`import spaces` found {found}, not the installed `spaces` distribution's {installed}"
    assert not found.is_relative_to(ROOT / "spaces")


def test_the_spaces_folder_is_neither_a_package_nor_installed():
    assert not (ROOT / "spaces" / "__init__.py").exists()
    include = next(line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("include"))
    assert "spaces" not in include.partition("#")[0], include  # `pip install .` would replace ZeroGPU's package
