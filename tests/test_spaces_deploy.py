"""Deploying a built folder: a dry run that says what would be created and uploaded, the calls made to the Hub
(hardware, variables, stale files deleted), and one-line refusals: no token, no Hub, not a built folder, the
course page still naming its placeholder owner."""

import os
import subprocess
import sys
import types

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "spaces"))  # the scripts' folder, as `python spaces/deploy.py` sees it
import build  # noqa: E402
import deploy  # noqa: E402


def run_deploy(folder, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "spaces/deploy.py", str(folder), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def spaces_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("deploy")
    for name in ("scale", "prompting", "confidence_vs_density", build.SUITE):
        build.build(name, out)
    build.build(build.COURSE_PAGE, out, owner="Prof_X")
    return out


class FakeHfApi:
    """Records what deploy asks of the Hub; `existing` maps each Space that already exists to its hardware."""

    existing: dict[str, str] = {}
    calls: list[tuple] = []
    unreachable = False

    def __init__(self, token=None):
        self.calls.append(("HfApi", token))

    def __getattr__(self, name):
        def record(*args, **kwargs):
            if self.unreachable:
                raise ConnectionError("no route to host")
            self.calls.append((name, args, kwargs))
            if name == "repo_exists":
                return args[0] in self.existing
            if name == "get_space_runtime":
                return types.SimpleNamespace(stage="RUNNING", hardware=self.existing[args[0]], requested_hardware=None)
            if name == "create_repo":
                return f"https://huggingface.co/spaces/{args[0]}"
            return None

        return record


WRITES = ("create_repo", "upload_folder", "add_space_variable", "add_space_secret", "request_space_hardware")


@pytest.fixture
def hub(monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    for key in ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"):
        monkeypatch.delenv(key, raising=False)
    FakeHfApi.calls, FakeHfApi.existing, FakeHfApi.unreachable = [], {}, False
    return FakeHfApi


def calls_named(hub, name: str) -> list[tuple]:
    return [call for call in hub.calls if call[0] == name]


def test_a_new_gpu_space_is_created_with_its_hardware_and_stale_files_are_deleted(spaces_out, hub):
    assert deploy.main([str(spaces_out / "prompting"), "--repo", "prof/prompting"]) == 0
    assert hub.calls[0] == ("HfApi", "hf_test")
    ((_, args, create),) = calls_named(hub, "create_repo")
    assert args == ("prof/prompting",)
    assert create["repo_type"] == "space" and create["space_sdk"] == "gradio"
    assert create["space_hardware"] == "zero-a10g" and create["private"] is False
    ((_, _, upload),) = calls_named(hub, "upload_folder")
    assert upload["folder_path"] == str(spaces_out / "prompting") and upload["repo_id"] == "prof/prompting"
    assert upload["delete_patterns"] == ["*"] and upload["repo_type"] == "space"
    assert not calls_named(hub, "request_space_hardware")


def test_the_suite_gets_its_streamlit_variable(spaces_out, hub):
    url = "https://prof-confidence-vs-density.hf.space"
    args = [str(spaces_out / build.SUITE), "--repo", "prof/genai-demos", "--variable", f"GENAI_STREAMLIT_URL={url}"]
    assert deploy.main(args) == 0
    ((_, _, create),) = calls_named(hub, "create_repo")
    assert create["space_sdk"] == "docker" and create["space_hardware"] == "cpu-basic"
    assert create["space_variables"] == [{"key": "GENAI_STREAMLIT_URL", "value": url}]


def test_an_existing_space_gets_its_variables_and_keeps_its_hardware_unless_asked(spaces_out, hub):
    hub.existing = {"prof/genai-demos": "cpu-basic"}
    folder = str(spaces_out / build.SUITE)
    assert (
        deploy.main([folder, "--repo", "prof/genai-demos", "--variable", "GENAI_STREAMLIT_URL=https://x.hf.space"]) == 0
    )
    assert not calls_named(hub, "create_repo") and not calls_named(hub, "request_space_hardware")
    assert calls_named(hub, "add_space_variable") == [
        ("add_space_variable", ("prof/genai-demos", "GENAI_STREAMLIT_URL", "https://x.hf.space"), {})
    ]
    hub.calls.clear()
    assert deploy.main([folder, "--repo", "prof/genai-demos", "--hardware", "cpu-upgrade"]) == 0
    assert calls_named(hub, "request_space_hardware") == [
        ("request_space_hardware", ("prof/genai-demos", "cpu-upgrade"), {})
    ]
    assert len(calls_named(hub, "upload_folder")) == 1


def test_a_dry_run_says_what_would_be_created_and_uploaded_and_touches_nothing(spaces_out, hub, monkeypatch, capsys):
    monkeypatch.delenv("HF_TOKEN")  # a dry run needs no token
    assert deploy.main([str(spaces_out / "scale"), "--repo", "prof/scale", "--dry-run", "--hardware", "cpu-basic"]) == 0
    out = capsys.readouterr().out
    assert [c for c in hub.calls if c[0] in WRITES] == []  # it only asked whether the Space exists
    assert "would create the public Space prof/scale: sdk gradio, hardware cpu-basic" in out
    assert "creating a gradio Space needs a subscription (PRO" in out  # what the Hub asks for a Gradio Space
    files = sorted(
        p.relative_to(spaces_out / "scale").as_posix() for p in (spaces_out / "scale").rglob("*") if p.is_file()
    )
    assert all(f"  {path}  (" in out for path in files) and f"would upload {len(files)} files" in out
    assert "delete every other file of the Space" in out and "nothing was created or uploaded" in out


def test_private_warns_that_it_cannot_be_embedded(spaces_out, hub, capsys):
    assert deploy.main([str(spaces_out / "scale"), "--repo", "prof/scale", "--private"]) == 0
    assert "cannot be embedded in a course page" in capsys.readouterr().err
    ((_, _, create),) = calls_named(hub, "create_repo")
    assert create["private"] is True


def test_the_course_page_with_its_placeholder_owner_is_refused(hub, capsys):
    assert deploy.main([str(ROOT / "spaces" / "course_page"), "--repo", "prof/course", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "still names the placeholder owner OWNER" in err and "--owner" in err
    assert hub.calls == []


def test_the_built_course_page_is_a_static_space_without_hardware(spaces_out, hub):
    assert deploy.main([str(spaces_out / build.COURSE_PAGE), "--repo", "prof/course"]) == 0
    ((_, _, create),) = calls_named(hub, "create_repo")
    assert create["space_sdk"] == "static" and create["space_hardware"] is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--hardware", "zero-a10g"], "ZeroGPU runs Gradio Spaces only"),
        (["--hardware", "a-big-gpu"], "is not a Space hardware"),
        (["--variable", "no-equals-sign"], "is not KEY=VALUE"),
    ],
)
def test_bad_options_are_refused_in_one_line(spaces_out, hub, capsys, args, says):
    assert deploy.main([str(spaces_out / build.SUITE), "--repo", "prof/genai-demos", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1
    assert hub.calls == []


def test_deploy_without_a_token_stops_with_one_line(spaces_out):
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    result = run_deploy(spaces_out / "scale", "--repo", "someone/scale", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "HF_TOKEN is not set" in result.stderr


def test_deploy_without_the_hub_fails_with_one_line(spaces_out):
    """How fast it gives up is measured by `python bench/fail_fast.py`."""
    env = {**os.environ, "HF_TOKEN": "hf_not_a_real_token", "HF_HUB_OFFLINE": "0"}
    result = run_deploy(spaces_out / "scale", "--repo", "someone/scale", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Hugging Face Hub" in result.stderr


def test_deploy_refuses_a_folder_that_is_not_a_built_space(tmp_path):
    result = run_deploy(tmp_path, "--repo", "someone/scale", env={**os.environ, "HF_TOKEN": "hf_x"})
    assert result.returncode == 2 and "python spaces/build.py" in result.stderr


def test_a_dry_run_of_an_existing_space_says_its_hardware_stays(spaces_out, hub, capsys):
    hub.existing = {"prof/prompting": "cpu-basic"}
    folder = str(spaces_out / "prompting")
    assert deploy.main([folder, "--repo", "prof/prompting", "--dry-run"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "would update the Space prof/prompting (sdk gradio): hardware stays cpu-basic (the folder suggests "
        "zero-a10g: add --hardware zero-a10g to move it)"
    )
    assert deploy.main([folder, "--repo", "prof/prompting", "--dry-run", "--hardware", "zero-a10g"]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "would update the Space prof/prompting (sdk gradio): hardware cpu-basic -> zero-a10g (--hardware)"
    )
    assert "cost: ZeroGPU" in out
    hub.existing = {"prof/prompting": "zero-a10g"}
    assert deploy.main([folder, "--repo", "prof/prompting", "--dry-run"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0]
        == "would update the Space prof/prompting (sdk gradio): hardware stays zero-a10g"
    )
    assert [c for c in hub.calls if c[0] in WRITES] == []


def test_a_dry_run_without_the_hub_says_both_outcomes(spaces_out, hub, capsys):
    hub.unreachable = True
    assert deploy.main([str(spaces_out / "prompting"), "--repo", "prof/prompting", "--dry-run"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("would create the public Space prof/prompting with sdk gradio and hardware zero-a10g, or, ")
    assert (
        "hardware kept as it is (add --hardware to change it); whether it exists is not known (the Hub could not be asked: ConnectionError)"
        in first
    )


SECRET = "sk-live-7Gq2xZ9pL4mN8vR3tY6wB1cD5eF0hJ"


def test_a_secret_is_stored_hidden_and_never_printed(spaces_out, hub, capsys):
    folder = str(spaces_out / "prompting")
    assert deploy.main([folder, "--repo", "prof/prompting", "--secret", f"OPENAI_API_KEY={SECRET}", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "  secret OPENAI_API_KEY (stored hidden; its value is not shown)" in out
    assert SECRET not in out + err
    assert deploy.main([folder, "--repo", "prof/prompting", "--secret", f"OPENAI_API_KEY={SECRET}"]) == 0
    ((_, _, create),) = calls_named(hub, "create_repo")
    assert create["space_secrets"] == [{"key": "OPENAI_API_KEY", "value": SECRET}] and create["space_variables"] is None
    hub.existing = {"prof/prompting": "zero-a10g"}
    assert deploy.main([folder, "--repo", "prof/prompting", "--secret", f"OPENAI_API_KEY={SECRET}"]) == 0
    assert calls_named(hub, "add_space_secret") == [
        ("add_space_secret", ("prof/prompting", "OPENAI_API_KEY", SECRET), {})
    ]
    assert not calls_named(hub, "add_space_variable")
    out, err = capsys.readouterr()
    assert SECRET not in out + err


def test_a_secret_named_alone_is_read_from_the_environment(spaces_out, hub, monkeypatch):
    monkeypatch.setenv("WANDB_API_KEY", SECRET)
    assert deploy.main([str(spaces_out / "prompting"), "--repo", "prof/prompting", "--secret", "WANDB_API_KEY"]) == 0
    ((_, _, create),) = calls_named(hub, "create_repo")
    assert create["space_secrets"] == [{"key": "WANDB_API_KEY", "value": SECRET}]


@pytest.mark.parametrize(
    ("variable", "says"),
    [
        ("HF_TOKEN=abc", "its name HF_TOKEN says it is a secret"),
        ("OPENAI_API_KEY=abc", "its name OPENAI_API_KEY says it is a secret"),
        ("HUB=hf_abcdefgh", "starts with hf_"),
        (f"DATABASE={SECRET}", "a long random-looking string"),
        ("CHECKSUM=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "a long random-looking string"),
    ],
)
def test_a_token_like_variable_is_refused_and_not_echoed(spaces_out, hub, capsys, variable, says):
    assert deploy.main([str(spaces_out / "scale"), "--repo", "prof/scale", "--variable", variable, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert says in err and "--secret" in err and "public" in err
    assert variable.partition("=")[2] not in err
    assert hub.calls == []


def test_deploy_all_dry_run_puts_the_streamlit_page_first_and_links_the_suite_to_it(spaces_out, hub, capsys):
    assert deploy.main(["all", str(spaces_out), "--owner", "Prof_X", "--dry-run"]) == 0
    out = capsys.readouterr().out
    steps = [line for line in out.splitlines() if line[:1].isdigit()]
    assert steps == ["1/3 confidence_vs_density:", "2/3 suite:", "3/3 course_page:"]
    assert "would create the public Space Prof_X/confidence-vs-density: sdk docker, hardware cpu-basic" in out
    assert "would create the public Space Prof_X/genai-demos: sdk docker, hardware cpu-basic" in out
    assert "  variable GENAI_STREAMLIT_URL=https://prof-x-confidence-vs-density.hf.space" in out
    assert "would create the public Space Prof_X/course-page: sdk static, no hardware (static)" in out
    assert out.rstrip().endswith("dry run: nothing was created or uploaded")
    assert [c for c in hub.calls if c[0] in WRITES] == []


def test_deploy_all_creates_the_spaces_in_order(spaces_out, hub, capsys):
    assert deploy.main(["all", str(spaces_out), "--owner", "Prof_X"]) == 0
    created = [(args[0], kwargs["space_variables"]) for _, args, kwargs in calls_named(hub, "create_repo")]
    assert created == [
        ("Prof_X/confidence-vs-density", None),
        (
            "Prof_X/genai-demos",
            [{"key": "GENAI_STREAMLIT_URL", "value": "https://prof-x-confidence-vs-density.hf.space"}],
        ),
        ("Prof_X/course-page", None),
    ]
    assert [kwargs["repo_id"] for _, _, kwargs in calls_named(hub, "upload_folder")] == [r for r, _ in created]


def test_deploy_all_refuses_a_course_page_built_for_another_owner(spaces_out, hub, capsys):
    assert deploy.main(["all", str(spaces_out), "--owner", "someone", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "the course page looks for confidence_vs_density at https://prof-x-confidence-vs-density.hf.space" in err
    assert "python spaces/build.py course_page --out OUT --owner someone" in err
    assert hub.calls == []


def test_deploy_all_per_demo_names_the_folders_it_lacks(spaces_out, hub, capsys):
    assert deploy.main(["all", str(spaces_out), "--owner", "Prof_X", "--per-demo", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "has no built tuning, text_to_image, flows, transformer, transfer" in err
    assert "python spaces/build.py all --out" in err


def test_a_space_whose_gpu_calls_outlast_the_quota_is_kept_off_zerogpu(tmp_path, hub, capsys):
    folder = tmp_path / "tuning"
    (folder / "core" / "tuning").mkdir(parents=True)
    (folder / "README.md").write_text("---\nsdk: gradio\nsuggested_hardware: cpu-basic\n---\n# Tuning\n")
    (folder / "core" / "tuning" / "lab.py").write_text("@gpu(duration=300)\ndef compare_methods():\n    pass\n")
    assert deploy.main([str(folder), "--repo", "prof/tuning", "--hardware", "zero-a10g", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "asks ZeroGPU for more than 60 s in one call: core.tuning.lab.compare_methods (300 s)" in err
    assert "--hardware cpu-basic" in err
    assert deploy.main([str(folder), "--repo", "prof/tuning", "--dry-run"]) == 0


@pytest.mark.parametrize(
    "variable",
    [
        "GENAI_STREAMLIT_URL=https://prof-confidence-vs-density.hf.space",
        "GENAI_MODEL_TEXT_TO_IMAGE=stabilityai/stable-diffusion-2-1-base",
        "GENAI_ALLOWED_MODELS=Qwen/Qwen2.5-0.5B-Instruct, SimianLuo/LCM_Dreamshaper_v7",
        "GENAI_TIME_LIMIT_S=300",
    ],
)
def test_ordinary_variables_are_accepted(variable):
    key, _, value = variable.partition("=")
    assert deploy.parse_variables([variable]) == {key: value}


def test_a_script_prints_each_line_as_it_comes_and_a_refusal_as_one_error_line(capsys):
    import cli

    def deploying(error: Exception):
        yield "1/2 scale:"
        raise error

    assert cli.print_lines(deploying(deploy.DeployError("no token: set HF_TOKEN")), deploy.DeployError) == 2
    assert capsys.readouterr() == ("1/2 scale:\n", "error: no token: set HF_TOKEN\n")
    with pytest.raises(KeyError):  # not a refusal the script words: a bug, with its traceback
        cli.print_lines(deploying(KeyError("scale")), deploy.DeployError)
    assert capsys.readouterr().err == ""
    assert cli.print_lines(iter(["a", "b"]), deploy.DeployError) == 0 and capsys.readouterr().out == "a\nb\n"
