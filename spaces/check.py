"""Before class: ask the Hub and each deployed Space whether everything a student opens will answer.

    python spaces/deploy.py check --owner USER [--per-demo]

It lists what a lecturer must fix: a Space that is missing or named otherwise than the course page expects,
asleep, paused, failed or still starting, on other hardware than its demo needs (a GPU demo off ZeroGPU runs
its small bundled model), a Space that does not answer, and a course page whose Gradio web component is not on
the CDN. It changes nothing; the exit status is 1 when something needs fixing.
"""

import argparse
import difflib
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

import layout
from deploy import HUB_TIMEOUT_S, hub_api

STAGES = {  # what to do about a Space in each stage the Hub reports other than RUNNING
    "SLEEPING": "is asleep: open {page} before class to wake it (about a minute), or set a longer sleep time",
    "PAUSED": "is paused: restart it under {page}/settings",
    "STOPPED": "is stopped: restart it under {page}/settings",
    "BUILDING": "is still building: wait, then run this check again",
    "RUNNING_BUILDING": "is rebuilding: wait, then run this check again",
    "APP_STARTING": "is still starting: wait, then run this check again",
    "RUNNING_APP_STARTING": "is restarting: wait, then run this check again",
    "BUILD_ERROR": "failed to build: read the build log at {page}?logs=build and deploy again",
    "RUNTIME_ERROR": "crashed: read the log at {page}?logs=container, fix and deploy again",
    "CONFIG_ERROR": "has a README.md the Hub cannot read: rebuild the folder and deploy again",
    "NO_APP_FILE": "has no app file: deploy its built folder again",
}
PROBE_PATH = {"gradio": "config", "streamlit": "_stcore/health"}  # what answers when a demo's server is up


def http_status(url: str) -> int | str:
    """The HTTP status of GET `url`, or why there was none."""
    try:
        with urllib.request.urlopen(url, timeout=HUB_TIMEOUT_S) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except (urllib.error.URLError, OSError) as err:
        return f"no answer ({getattr(err, 'reason', err)})"


def http_text(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=HUB_TIMEOUT_S) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError):
        return None


def probe_url(space: str, url: str) -> str:
    """The address whose answer says that `space` serves: a Gradio demo's config, the Streamlit health check."""
    if space in layout.streamlit_pages():
        return f"{url.rstrip('/')}/{PROBE_PATH['streamlit']}"
    if space == layout.SUITE:
        return url.rstrip("/") + "/"
    if space == layout.COURSE_PAGE:
        return f"{url.rstrip('/')}/config.js"
    return f"{url.rstrip('/')}/{PROBE_PATH['gradio']}"


def owners_spaces(api, owner: str) -> list[str]:
    """The names of the owner's Spaces (asked only when one is missing, to name a misnamed one)."""
    try:
        return [space.id.partition("/")[2] for space in api.list_spaces(author=owner)]
    except Exception:  # noqa: BLE001 - the list only helps name a misnamed Space
        return []


def check_space(api, owner: str, space: str, url: str) -> list[str]:
    """What to fix about one Space: missing (or named otherwise), its stage, its hardware, whether it answers."""
    repo = f"{owner}/{layout.repo_name(space)}"
    page = f"https://huggingface.co/spaces/{repo}"
    if not api.repo_exists(repo, repo_type="space"):
        others = owners_spaces(api, owner)
        close = difflib.get_close_matches(layout.repo_name(space), others, n=1, cutoff=0.5)
        named = (
            f"; {owner}/{close[0]} exists: rename it to {layout.repo_name(space)} under its Settings" if close else ""
        )
        return [
            f"{repo} does not exist, and the course page expects {space} there{named} (or deploy it: python "
            f"spaces/deploy.py all OUT --owner {owner})"
        ]
    found = []
    runtime = api.get_space_runtime(repo)
    stage = str(getattr(runtime, "stage", "") or "")
    if stage and stage != "RUNNING":
        found.append(f"{repo} " + STAGES.get(stage, f"is {stage}: see {page}").format(page=page))
    wanted = layout.wanted_hardware(space)
    hardware = getattr(runtime, "requested_hardware", None) or getattr(runtime, "hardware", None)
    if wanted and (hardware is None or (wanted.startswith("zero") and hardware.startswith("cpu"))):
        found.append(
            f"{repo} runs on {hardware or 'no hardware'}, not {wanted}"
            + (", so its demo runs the small bundled model, not the hub model" if wanted.startswith("zero") else "")
            + f": choose {wanted} under {page}/settings, or deploy it again with --hardware {wanted}"
        )
    if stage == "RUNNING":
        status = http_status(probe_url(space, url))
        if status != 200:
            found.append(
                f"{repo} is running but {probe_url(space, url)} answered {status}: open {page} and read its log"
            )
    return found


def check_course_page(owner: str, per_demo: bool, url_of: Callable[[str], str]) -> list[str]:
    """What to fix about the course page's config.js: Spaces it looks for elsewhere, a web component the CDN lacks."""
    address = url_of(layout.COURSE_PAGE)
    text = http_text(f"{address.rstrip('/')}/config.js")
    if text is None:
        return [f"the course page's config.js does not answer at {address}/config.js: deploy the course page"]
    try:
        config = layout.read_course_config(text)
    except ValueError as err:
        return [f"the course page at {address}: {err}"]
    found = layout.course_mismatches(config, owner, per_demo, url_of)
    gradio_js = config.get("gradio_js", "")
    status = http_status(gradio_js) if gradio_js else "nothing (config.js names no gradio_js)"
    if status != 200:
        found.append(
            f"the course page loads Gradio's web component from {gradio_js or '?'}, which answered {status}: the "
            "CDN has no copy for that Gradio version, so no Gradio demo shows; rebuild the page with a Gradio whose "
            "gradio.js the CDN serves (the version the Spaces' sdk_version names), or point gradio_js at a copy"
        )
    return found


def check(owner: str, per_demo: bool, api, url_of: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """(what answers, what to fix) for every Space a class needs and the course page."""
    fine, fix = [], []
    for space in layout.spaces_for(per_demo):
        problems = check_space(api, owner, space, url_of(space))
        fix += problems
        if not problems:
            fine.append(f"{owner}/{layout.repo_name(space)} answers at {url_of(space)}")
    fix += check_course_page(owner, per_demo, url_of)
    return fine, fix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python spaces/deploy.py check", description=__doc__.splitlines()[0])
    parser.add_argument("--owner", required=True, help="the Hugging Face user or organisation that owns the Spaces")
    parser.add_argument("--per-demo", action="store_true", help="one Space per Gradio demo instead of the suite")
    args = parser.parse_args(argv)
    try:
        fine, fix = check(args.owner, args.per_demo, hub_api(), lambda space: layout.space_url(args.owner, space))
    except Exception as err:  # noqa: BLE001 - offline, or the Hub refused: one line
        print(f"error: could not ask the Hugging Face Hub ({type(err).__name__}): check the network", file=sys.stderr)
        return 2
    print("\n".join([*(f"ok: {line}" for line in fine), *(f"fix: {line}" for line in fix)]))
    print(f"{len(fix)} thing{'s' if len(fix) != 1 else ''} to fix before class" if fix else "ready for class")
    return 1 if fix else 0


if __name__ == "__main__":
    sys.exit(main())
