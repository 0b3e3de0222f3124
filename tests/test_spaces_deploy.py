"""Deploying a built folder: a dry run that says what would be created and uploaded, the calls made to the Hub
(hardware, variables, stale files deleted), and one-line refusals: no token, no Hub, not a built folder, the
course page still naming its placeholder owner."""

import os
import subprocess
import sys

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
    for name in ("scale", "prompting", build.SUITE):
        build.build(name, out)
    build.build(build.COURSE_PAGE, out, owner="Prof_X")
    return out


class FakeHfApi:
    """Records what deploy asks of the Hub; `existing` names the Spaces that already exist."""

    existing: set[str] = set()
    calls: list[tuple] = []

    def __init__(self, token=None):
        self.calls.append(("HfApi", token))

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name == "repo_exists":
                return args[0] in self.existing
            if name == "create_repo":
                return f"https://huggingface.co/spaces/{args[0]}"
            return None

        return record


@pytest.fixture
def hub(monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    for key in ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"):
        monkeypatch.delenv(key, raising=False)
    FakeHfApi.calls, FakeHfApi.existing = [], set()
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
    hub.existing = {"prof/genai-demos"}
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
    assert hub.calls == []
    assert "would create (or update) the public Space prof/scale: sdk gradio, hardware cpu-basic" in out
    assert "needs a subscription (PRO" in out  # what the Hub asks for a Gradio Space on cpu-basic
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
