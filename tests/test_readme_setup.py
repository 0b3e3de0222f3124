"""The README's set-up, followed word for word: a virtual environment in the repository root, the Python it asks
for, the CPU build of torch, the demos in the launcher's order, and a terminal that says what a newcomer needs."""

import importlib.metadata
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from apps.catalog import DEMOS, by_name
from core.runtime.registry import spec_for
from tests.conftest import ROOT, free_port, wait_for_http
from tests.test_spaces_name import import_spaces_as_a_space_does

README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def install_offline(distribution: str, site_packages: Path) -> None:
    """Put in `site_packages` what `pip install <distribution>` would, copied from this environment: the package's
    files and its metadata (console scripts, which live beside the interpreter, are left out)."""
    dist = importlib.metadata.distribution(distribution)
    for file in dist.files:
        source = Path(dist.locate_file(file))
        if ".." in file.parts or not source.is_file():
            continue
        target = site_packages / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def test_zerogpus_package_is_found_with_the_readmes_venv_in_the_repository_root(tmp_path):
    root = tmp_path / "genai-demos"  # the code a Space runs, and the `spaces/` folder that must not shadow anything
    shutil.copytree(ROOT / "core", root / "core", ignore=shutil.ignore_patterns("weights", "__pycache__"))
    shutil.copytree(ROOT / "spaces", root / "spaces", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", ".venv"], cwd=root, check=True, timeout=120)
    python = root / ".venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    site_packages = Path(purelib)
    # `make test` would install the requirements into the venv; offline, the venv reads this environment's packages
    # after its own, and `spaces` is installed into it, as pip puts it there
    (site_packages / "this-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install_offline("spaces", site_packages)

    found, installed = import_spaces_as_a_space_does(str(python), root)
    assert installed.is_relative_to(root / ".venv"), installed
    assert found == installed, f"`import spaces` found {found}, not the installed `spaces` distribution's {installed}"


def test_the_readme_asks_for_the_python_that_pyproject_requires():
    asked = re.search(r"You need Python (\d+\.\d+) or newer", README)
    assert asked, "the README names no Python version"
    assert PYPROJECT["project"]["requires-python"] == f">={asked.group(1)}"


def test_the_readmes_cpu_route_installs_the_torch_that_requirements_pin():
    route = re.search(r"pip install torch==(\S+) --index-url https://download\.pytorch\.org/whl/cpu\n", README)
    pinned = re.search(r"^torch==(\S+)$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    assert route and pinned
    assert route.group(1) == pinned.group(1)


def test_the_readme_lists_the_demos_in_the_launchers_order_and_words():
    rows = re.findall(r"^\| \[(.+?)\]\(apps/(\w+)\.py\)", README, re.M)
    assert rows == [(d.title, d.name) for d in DEMOS]


def test_the_license_is_the_mit_license_that_pyproject_names():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 genai-demos contributors\n")
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}


def launcher_terminal(
    *args: str, until: str | tuple[str, ...], then=None, env=None, timeout_s: float = 300
) -> list[str]:
    """What `python -m apps ...` prints (stdout and stderr, in order) until a line starts with `until` (or one of
    them), and then, once `then()` has returned, stopped with SIGINT as Ctrl+C does, until it exits."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "apps", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    watchdog = threading.Timer(timeout_s, proc.kill)
    watchdog.start()
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(until):
                break
        if then is not None:
            then()
        proc.send_signal(signal.SIGINT)
        lines += proc.communicate(timeout=60)[0].splitlines()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
    assert any(line.startswith(until) for line in lines), "\n".join(lines[-30:])
    return lines


@pytest.mark.slow
def test_the_launcher_says_once_when_every_model_has_loaded_then_ready_and_nothing_else():
    """No loading bars, and no note that torchvision is missing: the text-to-image demo loads two diffusers
    pipelines with a transformers text encoder each. The port opens once they have loaded, so "ready" comes last."""
    lines = launcher_terminal("--only", "text_to_image", "--port", str(free_port()), until="ready:")
    ready = next(i for i, line in enumerate(lines) if line.startswith("ready:"))
    assert lines[ready + 1 :] == [], "\n".join(lines[ready + 1 :])
    assert re.fullmatch(r"all models loaded \(\d+ s\): no click waits for a model to load now", lines[ready - 1])
    assert all(line.startswith(("genai-demos", "  ")) for line in lines[: ready - 1]), "\n".join(lines[:ready])


@pytest.mark.slow
def test_the_loaded_line_names_a_model_that_failed_to_load():
    """A hub id that this offline machine cannot download (the tests run with HF_HUB_OFFLINE=1)."""
    broken = spec_for("flows-digits-nsf")
    env = {**os.environ, broken.env_var: "someone/no-such-flow"}
    until = ("all models loaded", "models loaded")
    lines = launcher_terminal("--only", "flows", "--port", str(free_port()), until=until, env=env)
    loaded = next(line for line in lines if line.startswith(until))
    assert re.fullmatch(
        r"models loaded \(\d+ s\) except flows-digits-nsf: a demo that needs one says why when used", loaded
    ), loaded


def test_the_streamlit_page_is_announced_once_by_the_launcher():
    """Streamlit prints its own welcome and URL as it starts; the launcher's line is the one a user needs."""
    page = by_name("confidence_vs_density")
    port, page_port = free_port(), free_port()
    lines = launcher_terminal(
        "--only", page.name, "--port", str(port), "--streamlit-port", str(page_port), "--no-warm-up",
        until="ready:", then=lambda: wait_for_http(f"http://127.0.0.1:{page_port}/_stcore/health", timeout_s=120),
    )  # fmt: skip
    assert [line for line in lines if str(page_port) in line] == [f"  {page.title}: http://localhost:{page_port}/"]
