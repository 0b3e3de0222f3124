"""How a Space runs: the hub model on a GPU and the bundled one on a CPU, said in the page; models loaded at
import on ZeroGPU and handed to GPU workers by name; and the suite linking its Streamlit page."""

import os
import pickle
import subprocess
import sys
import types

import httpx
import pytest

import apps.hosting as hosting
from apps.launcher import stop
from core.prompting.choices import BASE, INSTRUCT, NAME, SOURCES, TUNED
from core.runtime import default_source, get_model, spec_for
from core.runtime.registry import BUNDLED, is_loaded, model_menu
from tests.conftest import ROOT, free_port, wait_for_http

LAB_LM = NAME  # the registry imports core.prompting.models, which registers it


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    monkeypatch.setenv(spec_for_lab().env_var, "")  # so that what prefer_hub_models sets is undone afterwards
    monkeypatch.delenv(spec_for_lab().env_var)
    monkeypatch.setattr(hosting, "gpu_available", lambda: False)


def spec_for_lab():
    import core.prompting.models  # noqa: F401 - registers the lab model

    return spec_for(NAME)


def test_on_a_cpu_the_menu_starts_on_the_bundled_model_and_says_so(cpu_only):
    assert hosting.prefer_hub_models((LAB_LM,)) == []
    assert default_source(NAME) == BUNDLED
    line = hosting.model_line(NAME)
    assert "bundled" in line and BASE in line and "GPU Space" in line


def test_on_a_gpu_the_menu_starts_on_the_hub_model_and_says_so(cpu_only, monkeypatch):
    monkeypatch.setattr(hosting, "gpu_available", lambda: True)
    assert hosting.prefer_hub_models((LAB_LM,)) == [NAME]
    assert default_source(NAME) == BASE
    line = hosting.model_line(NAME)
    assert f"`{BASE}` from the Hugging Face Hub, on the GPU" in line


def test_an_explicit_model_choice_wins_over_the_gpu_default(cpu_only, monkeypatch):
    monkeypatch.setattr(hosting, "gpu_available", lambda: True)
    monkeypatch.setenv(spec_for_lab().env_var, "Qwen/Qwen2.5-0.5B-Instruct")
    assert hosting.prefer_hub_models((LAB_LM,)) == []
    assert default_source(NAME) == "Qwen/Qwen2.5-0.5B-Instruct"


@pytest.fixture
def public_server(monkeypatch, tmp_path):
    """A public server whose Hugging Face cache is empty."""
    from huggingface_hub import constants

    monkeypatch.setenv("GENAI_PUBLIC", "1")
    monkeypatch.delenv("GENAI_ALLOWED_MODELS", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    return tmp_path / "hub-cache"


def test_a_public_cpu_server_offers_only_the_bundled_model_and_what_the_operator_allows(
    cpu_only, public_server, monkeypatch
):
    assert hosting.prefer_hub_models((LAB_LM,)) == []
    assert model_menu(NAME, SOURCES) == [BUNDLED]
    monkeypatch.setenv("GENAI_ALLOWED_MODELS", INSTRUCT)
    assert model_menu(NAME, SOURCES) == [BUNDLED, INSTRUCT]


def test_a_public_gpu_space_offers_its_menu_of_hub_models(cpu_only, public_server, monkeypatch):
    monkeypatch.setattr(hosting, "gpu_available", lambda: True)
    hosting.prefer_hub_models((LAB_LM,))
    assert model_menu(NAME, SOURCES) == list(SOURCES)


def test_the_pages_of_a_public_cpu_server_build_their_menus_from_the_bundled_models(tmp_path):
    """In a fresh process, as a CPU Space starts: the model dropdowns of both hub-model demos hold only bundled models:
    the prompting lab's also its bundled tuned copies."""
    code = """
import apps.prompting as lab, apps.text_to_image as t2i
menus = [lab.source, lab.source_a, lab.source_b, t2i.source, t2i.fast_source]
print([[value for _, value in menu.choices] for menu in menus])
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENAI_MODEL_")}
    env |= {"GENAI_PUBLIC": "1", "HF_HUB_CACHE": str(tmp_path / "hub-cache"), "GENAI_ALLOWED_MODELS": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    lab_menu = [BUNDLED, *TUNED]
    assert result.stdout.strip().splitlines()[-1:] == [str([lab_menu] * 3 + [[BUNDLED]] * 2)], result.stderr[-2000:]


def test_on_zerogpu_spaces_is_imported_first_and_models_load_at_import(cpu_only, monkeypatch):
    """ZeroGPU moves weights placed on CUDA at import to the GPU of each call; a background load would be too late."""
    imported = []
    monkeypatch.setattr("builtins.__import__", _recording_import(imported))
    monkeypatch.setitem(sys.modules, "spaces", types.SimpleNamespace(GPU=lambda duration: lambda fn: fn))
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    hosting.prefer_hub_models((LAB_LM,))
    assert imported[:1] == ["spaces"]
    hosting.load_models((LAB_LM,))
    assert is_loaded(NAME)


def _recording_import(names: list[str]):
    real = __import__

    def record(name, *args, **kwargs):
        names.append(name)
        return real(name, *args, **kwargs)

    return record


def test_a_language_model_crosses_to_a_gpu_worker_by_name_not_by_weights():
    spec_for_lab()
    lm = get_model(NAME)
    data = pickle.dumps(lm)
    assert len(data) < 1000  # a reference, not 8.8 MB of weights
    assert pickle.loads(data) is lm
    tuned = get_model("lab-lm-ppo")  # a tuned copy crosses under its own name, found loaded, not loaded again
    assert pickle.loads(pickle.dumps(tuned)) is tuned and tuned.name == "lab-lm-ppo"


def test_the_suite_links_a_streamlit_page_served_elsewhere():
    port = free_port()
    url = "https://someone-confidence-vs-density.hf.space/"
    proc = subprocess.Popen(
        [sys.executable, "-m", "apps", "--port", str(port), "--only", "confidence_vs_density", "--streamlit-url", url],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/")
        assert f'href="{url}"' in httpx.get(f"http://127.0.0.1:{port}/").text
        with pytest.raises(httpx.ConnectError):  # nothing listens on the Streamlit port: no page was started here
            httpx.get(f"http://127.0.0.1:{port + 1}/_stcore/health")
    finally:
        stop(proc)
