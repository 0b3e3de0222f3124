"""The model registry: bundled by default, a hub id on request, one load per process, clear offline errors."""

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel

from core.runtime import ModelSpec, ModelUnavailable, get_model, hub, register, resolve, spec_for
from core.runtime.registry import BUNDLED, REGISTERED_BY, files_to_fetch, is_loaded, model_menu, public_mode
from tests.conftest import ROOT, http_server


@pytest.fixture
def tiny_lm_dir(tmp_path: Path) -> Path:
    """A tiny random-weight GPT-2 saved with save_pretrained, standing in for a bundled model."""
    config = GPT2Config(n_layer=1, n_head=2, n_embd=8, vocab_size=32, n_positions=16)
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(tmp_path / "tiny-lm")
    return tmp_path / "tiny-lm"


@pytest.fixture
def counted_spec(tiny_lm_dir: Path, request):
    loads: list[str] = []

    def load(source: str):
        loads.append(source)
        return AutoModelForCausalLM.from_pretrained(source)

    spec = register(ModelSpec(name=f"tiny-lm-{request.node.name}", bundled=tiny_lm_dir, load=load))
    return spec, loads


def test_bundled_directory_is_the_default(counted_spec, monkeypatch):
    counted_spec, _ = counted_spec
    monkeypatch.delenv(counted_spec.env_var, raising=False)
    assert resolve(counted_spec.name) == str(counted_spec.bundled)


def test_environment_variable_points_at_a_hub_id(counted_spec, monkeypatch):
    counted_spec, _ = counted_spec
    monkeypatch.setenv(counted_spec.env_var, "someone/some-model")
    assert resolve(counted_spec.name) == "someone/some-model"
    assert resolve(counted_spec.name, source="bundled") == str(counted_spec.bundled)


def test_model_loads_lazily_and_once_under_concurrent_requests(counted_spec):
    counted_spec, loads = counted_spec
    assert not is_loaded(counted_spec.name)
    results, together = [], threading.Barrier(6)

    def request():
        together.wait()  # all six ask at the same moment
        results.append(get_model(counted_spec.name))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert all(r is results[0] for r in results)
    logits = results[0](torch.tensor([[1, 2, 3]])).logits
    assert logits.shape == (1, 3, 32)


def test_unreachable_hub_model_fails_with_a_message_naming_the_bundled_alternative(tiny_lm_dir):
    """In a fresh process without HF_HUB_OFFLINE, so the Hub client really tries the network. How fast it gives up
    is measured by `python bench/fail_fast.py`."""
    code = f"""
from transformers import AutoModelForCausalLM
from core.runtime import ModelSpec, ModelUnavailable, get_model, register
register(ModelSpec(name="tiny-lm", bundled=__import__("pathlib").Path({str(tiny_lm_dir)!r}),
                   load=AutoModelForCausalLM.from_pretrained))
try:
    get_model("tiny-lm", source="genai-demos/not-a-real-model")
except ModelUnavailable as err:
    print(err)
"""
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert "bundled models in the model menu" in result.stdout, result.stderr[-2000:]


def test_offline_mode_refuses_an_uncached_hub_model_at_once(counted_spec, monkeypatch):
    counted_spec, _ = counted_spec
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable, match="not downloaded on this server, which works offline"):
        get_model(counted_spec.name, source="genai-demos/not-a-real-model")


def test_missing_bundled_model_says_how_to_rebuild(tmp_path):
    spec = register(ModelSpec(name="never-trained", bundled=tmp_path / "absent", load=lambda s: s))
    with pytest.raises(ModelUnavailable, match="training command"):
        get_model(spec.name)


def test_registering_the_same_spec_twice_keeps_the_first(tmp_path):
    first = register(ModelSpec(name="twice", bundled=tmp_path, load=str, hub=("someone/model",)))
    again = register(ModelSpec(name="twice", bundled=tmp_path, load=str, hub=("someone/model",)))
    assert again is first


def test_a_second_model_under_a_taken_name_is_refused_and_the_first_stays(tmp_path):
    first = register(ModelSpec(name="taken", bundled=tmp_path, load=str))
    with pytest.raises(ValueError, match="'taken' is already registered .* give the new model another name"):
        register(ModelSpec(name="taken", bundled=tmp_path / "other", load=str))
    assert resolve("taken", "bundled") == str(first.bundled)


def test_unknown_name_lists_the_known_ones(counted_spec):
    counted_spec, _ = counted_spec
    with pytest.raises(ModelUnavailable, match=counted_spec.name):
        get_model("no-such-model")


def test_warm_up_imports_the_registering_module_and_loads_in_the_background():
    """Every model the catalog names is found by warm-up, which imports the module that registers it."""
    code = """
import sys
from apps.catalog import DEMOS
from core.runtime import registry
assert "core.transfer.models" not in sys.modules
registry.warm_up(["transfer-cnn-digits-0-4"]).join()  # however long a busy CPU takes
assert "core.transfer.models" in sys.modules
assert registry.is_loaded("transfer-cnn-digits-0-4")
for name in [m for d in DEMOS for m in d.models]:
    registry.spec_for(name)  # raises if the module REGISTERED_BY names does not register it
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=590)
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]


@pytest.fixture
def open_server(monkeypatch):
    """Neither a Space nor a public flag: a lecturer's own machine."""
    for var in ("GENAI_PUBLIC", "SPACE_ID", "SYSTEM", "GENAI_ALLOWED_MODELS"):
        monkeypatch.delenv(var, raising=False)


def test_a_module_built_while_a_model_loads_waits_and_is_never_on_the_meta_device(tiny_lm_dir, request):
    """diffusers' from_pretrained builds inside accelerate's init_empty_weights, which patches
    nn.Module.register_parameter for the whole process: a layer built meanwhile in another thread lands on the
    meta device. Loads and `building()` share one lock, so the layer is built after the load."""
    from accelerate import init_empty_weights

    from core.runtime.registry import building

    inside, release = threading.Event(), threading.Event()

    def load(source: str):
        with init_empty_weights():
            inside.set()
            release.wait(10)
        return AutoModelForCausalLM.from_pretrained(source)

    spec = register(ModelSpec(name=f"patching-{request.node.name}", bundled=tiny_lm_dir, load=load))
    loader = threading.Thread(target=get_model, args=(spec.name,))
    loader.start()
    assert inside.wait(10)
    built = []
    builder = threading.Thread(target=lambda: built.append(_build_layer(building)))
    builder.start()
    builder.join(0.5)
    assert built == []  # still waiting for the load
    release.set()
    loader.join(30)
    builder.join(30)
    assert not built[0].weight.is_meta and torch.isfinite(built[0].weight).all()


def _build_layer(building):
    with building():
        return torch.nn.Linear(4, 4)


def test_a_failed_load_is_not_cached_and_the_next_request_loads_again(tiny_lm_dir, request):
    attempts = []

    def load(source: str):
        attempts.append(source)
        if len(attempts) == 1:
            raise OSError("the disk hiccupped")
        return AutoModelForCausalLM.from_pretrained(source)

    spec = register(ModelSpec(name=f"flaky-{request.node.name}", bundled=tiny_lm_dir, load=load))
    with pytest.raises(ModelUnavailable, match="could not load .*the disk hiccupped"):  # a message, not a trace
        get_model(spec.name)
    assert not is_loaded(spec.name)
    model = get_model(spec.name)
    assert get_model(spec.name) is model and len(attempts) == 2


def test_a_model_left_on_the_meta_device_is_refused_and_not_cached(tiny_lm_dir, request):
    def load(source: str):
        with torch.device("meta"):
            return torch.nn.Linear(2, 2)

    spec = register(ModelSpec(name=f"half-built-{request.node.name}", bundled=tiny_lm_dir, load=load))
    with pytest.raises(ModelUnavailable, match="meta device"):
        get_model(spec.name)
    assert not is_loaded(spec.name)


def test_public_mode_takes_only_the_menu_and_refuses_every_path_with_one_message(
    tiny_lm_dir, tmp_path, monkeypatch, open_server, request
):
    spec = register(
        ModelSpec(
            name=f"menu-{request.node.name}",
            bundled=tiny_lm_dir,
            load=AutoModelForCausalLM.from_pretrained,
            hub=("someone/default", "someone/other"),
        )
    )
    monkeypatch.setenv("GENAI_PUBLIC", "1")
    monkeypatch.setenv(spec.env_var, "someone/default")  # the server runs this model from the hub (a GPU Space)
    assert public_mode()
    assert resolve(spec.name, "someone/other") == "someone/other"
    assert resolve(spec.name, "bundled") == str(tiny_lm_dir)
    (tmp_path / "secret").mkdir()
    typed = ["bigscience/bloom", "/root/.ssh", "/no/such/folder", str(tmp_path / "secret"), "../..", "~", "C:\\x"]
    refusals = set()
    for choice in typed:
        with pytest.raises(ModelUnavailable) as refused:
            get_model(spec.name, choice)
        refusals.add(str(refused.value))
    (message,) = refusals  # the same words whatever exists: nothing to learn about the file system
    assert "GENAI_ALLOWED_MODELS" in message and "someone/other" in message and "/" not in message.split("(")[0]
    monkeypatch.setenv("GENAI_ALLOWED_MODELS", "bigscience/bloom, org/model")
    assert resolve(spec.name, "bigscience/bloom") == "bigscience/bloom"


def test_public_mode_is_on_by_default_on_spaces_only(monkeypatch, open_server):
    assert not public_mode()
    monkeypatch.setenv("SPACE_ID", "teacher/genai-demos")
    assert public_mode()
    monkeypatch.setenv("GENAI_PUBLIC", "0")
    assert not public_mode()


def test_a_model_id_that_is_not_text_gets_a_message(counted_spec):
    counted_spec, _ = counted_spec
    with pytest.raises(ValueError, match="model must be text"):
        get_model(counted_spec.name, 123)
    with pytest.raises(ValueError, match="not valid text"):
        get_model(counted_spec.name, "gpt\ud8002")


def test_local_use_opens_any_folder_and_every_spelling_of_it_is_one_model(
    counted_spec, tmp_path, monkeypatch, open_server
):
    import shutil

    counted_spec, loads = counted_spec
    folder = Path(shutil.copytree(counted_spec.bundled, tmp_path / "mine" / "copy"))
    spellings = [str(folder), str(folder) + "/", str(folder.parent / ".." / "mine" / "copy")]
    spellings += [str(folder.parent) + "/." * i + "/copy" for i in range(37)]
    models = {id(get_model(counted_spec.name, s)) for s in spellings}
    assert len(spellings) == 40 and len(models) == 1 and loads == [str(folder)]


def test_the_cache_keeps_bundled_models_and_the_most_recent_others(counted_spec, tmp_path, monkeypatch, open_server):
    import shutil

    counted_spec, _ = counted_spec
    monkeypatch.setenv("GENAI_MODEL_CACHE", "2")
    get_model(counted_spec.name)
    copies = [str(shutil.copytree(counted_spec.bundled, tmp_path / name)) for name in "abc"]
    for copy in copies:
        get_model(counted_spec.name, copy)
    assert [is_loaded(counted_spec.name, c) for c in copies] == [False, True, True]
    assert is_loaded(counted_spec.name)


@pytest.fixture
def hub_logger(monkeypatch, tmp_path):
    """A local stand-in for the Hugging Face Hub that records every request and answers 500; an empty model cache."""
    from huggingface_hub import constants, hf_api

    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(f"{self.command} {self.path}")
            self.send_response(500)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    with http_server(Handler) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)  # read once, at import, into the constant and the module's client:
        monkeypatch.setattr(constants, "ENDPOINT", url)
        monkeypatch.setattr(hf_api.api, "endpoint", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
        yield requests


@pytest.fixture
def public_cpu_server(monkeypatch, open_server):
    """A public server that runs no model from the hub: no `GENAI_MODEL_<NAME>` is set."""
    for var in [v for v in os.environ if v.startswith("GENAI_MODEL_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("GENAI_PUBLIC", "1")


def catalog_hub_ids() -> list[tuple[str, str]]:
    """(registry name, hub id) for every hub id a model menu of the catalog offers."""
    specs = [spec_for(name) for name in REGISTERED_BY]
    return [(s.name, hub_id) for s in specs for hub_id in s.hub]


def test_the_hub_logger_sees_the_probe_of_a_private_server_and_the_reply_names_no_class(
    counted_spec, hub_logger, open_server
):
    counted_spec, loads = counted_spec
    with pytest.raises(ModelUnavailable) as refused:
        get_model(counted_spec.name, "someone/some-model")
    assert "GET /api/models/someone/some-model" in hub_logger
    assert "could not be reached for 'someone/some-model' (it answered with HTTP status 500)" in str(refused.value)
    assert "Error" not in str(refused.value) and loads == []


def test_a_public_cpu_server_refuses_every_catalog_hub_model_without_asking_the_hub(hub_logger, public_cpu_server):
    asked = catalog_hub_ids()
    named_in_the_issue = {"stable-diffusion-v1-5/stable-diffusion-v1-5", "stabilityai/sd-turbo", "gpt2",
                          "SimianLuo/LCM_Dreamshaper_v7", "Qwen/Qwen2.5-0.5B"}  # fmt: skip
    assert named_in_the_issue <= {hub_id for _, hub_id in asked}
    for name, hub_id in asked:
        with pytest.raises(ModelUnavailable) as refused:
            get_model(name, hub_id)
        assert str(refused.value).startswith("this public server runs only the models of its menu (bundled) and "
                                             "downloads no others"), (name, hub_id)  # fmt: skip
        assert model_menu(name, (BUNDLED, hub_id)) == [BUNDLED]
    assert hub_logger == []


def test_a_public_server_loads_a_hub_model_already_in_its_cache_without_asking_the_hub(
    tiny_lm_dir, hub_logger, public_cpu_server, request
):
    from huggingface_hub import constants

    snapshot = Path(constants.HF_HUB_CACHE) / "models--someone--preloaded" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("abc")
    spec = register(ModelSpec(name=f"cached-{request.node.name}", bundled=tiny_lm_dir, load=lambda source: source))
    assert model_menu(spec.name, (BUNDLED, "someone/preloaded", "someone/elsewhere")) == [BUNDLED, "someone/preloaded"]
    assert get_model(spec.name, "someone/preloaded") == "someone/preloaded"
    assert hub_logger == []


def test_another_models_bundled_folder_is_named_by_its_model_not_by_its_path(monkeypatch, open_server):
    monkeypatch.setenv("GENAI_PUBLIC", "1")
    folder = str(spec_for("text-to-image").bundled)
    with pytest.raises(ModelUnavailable) as refused:
        get_model("lab-lm", folder)
    assert str(refused.value) == (
        "that folder holds the 'text-to-image' model, not a 'lab-lm' model: pick 'bundled' or a model from the menu"
    )


def test_a_slow_download_does_not_hold_up_a_bundled_model(counted_spec, tiny_lm_dir, monkeypatch, open_server, request):
    """The download runs before the process-wide build lock: meanwhile another request loads and builds."""
    counted_spec, loads = counted_spec
    downloading, release = threading.Event(), threading.Event()

    def slow_download(hub_id: str) -> None:
        downloading.set()
        release.wait(60)

    monkeypatch.setattr(hub, "download", slow_download)
    from_hub = register(ModelSpec(name=f"hub-{request.node.name}", bundled=tiny_lm_dir, load=lambda source: source))
    got = []
    downloader = threading.Thread(target=lambda: got.append(get_model(from_hub.name, "someone/large-model")))
    downloader.start()
    assert downloading.wait(30)
    bundled = threading.Thread(target=lambda: got.append(get_model(counted_spec.name)))
    bundled.start()
    bundled.join(60)
    finished_during_download = not bundled.is_alive() and not release.is_set()
    release.set()
    downloader.join(60)
    assert finished_during_download and loads == [str(tiny_lm_dir)]
    assert got[1] == "someone/large-model"


def test_only_the_pytorch_weights_a_loader_reads_are_downloaded():
    gpt2 = ["config.json", "merges.txt", "vocab.json", "tokenizer.json", "model.safetensors", "pytorch_model.bin",
            "tf_model.h5", "flax_model.msgpack", "rust_model.ot", "64-8bits.tflite", "onnx/decoder_model.onnx",
            "onnx/config.json"]  # fmt: skip
    assert sorted(files_to_fetch(gpt2)) == sorted(
        ["config.json", "merges.txt", "vocab.json", "tokenizer.json", "onnx/config.json", "model.safetensors"]
    )
    pipeline = ["model_index.json", "sd_turbo.safetensors", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                "unet/diffusion_pytorch_model.fp16.safetensors", "vae/diffusion_pytorch_model.bin",
                "vae/diffusion_pytorch_model.non_ema.bin", "text_encoder/pytorch_model.bin"]  # fmt: skip
    assert sorted(files_to_fetch(pipeline)) == sorted(
        ["model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
         "vae/diffusion_pytorch_model.bin", "text_encoder/pytorch_model.bin"]
    )  # fmt: skip
