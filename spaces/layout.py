"""The Spaces a class needs, in the order they are deployed, and the names the course page expects them under.

The Streamlit page comes first, since the suite links to its address; then the suite (or, with one Space per
demo, each Gradio demo); then the course page, which embeds them all. A Space `USER/NAME` answers at
https://USER-NAME.hf.space, the address the built course page (`config.js`) names.
"""

import json
from collections.abc import Callable

from build import COURSE_PAGE, DEMOS, SUITE, SUITE_TITLE, host_label, space_host

COURSE_PAGE_REPO = "course-page"
CONFIG_START = "window.COURSE_PAGE = "


def repo_name(space: str) -> str:
    """The name of the Space that `space` (a built folder's name) is deployed as: what the course page expects."""
    return {SUITE: SUITE_TITLE, COURSE_PAGE: COURSE_PAGE_REPO}.get(space, host_label(space))


def streamlit_pages() -> list[str]:
    return [d.name for d in DEMOS if d.kind == "streamlit"]


def spaces_for(per_demo: bool, course_page: bool = True) -> list[str]:
    """The built folders a class needs, in the order to deploy them."""
    gradio = [d.name for d in DEMOS if d.kind == "gradio"] if per_demo else [SUITE]
    return [*streamlit_pages(), *gradio, *([COURSE_PAGE] if course_page else [])]


def wanted_hardware(space: str) -> str | None:
    """The hardware `space` should run on: the catalog's for a demo, cpu-basic for the suite, none for the page."""
    if space == COURSE_PAGE:
        return None
    return next((d.hardware for d in DEMOS if d.name == space), "cpu-basic")


def space_url(owner: str, space: str) -> str:
    """Where the Space of `space` answers, e.g. https://my-user-genai-demos.hf.space."""
    return space_host(owner, repo_name(space))


def read_course_config(text: str) -> dict:
    """The settings of a course page's config.js as `build.py course_page` writes it."""
    start = text.find(CONFIG_START)
    if start < 0:
        raise ValueError("config.js does not set window.COURSE_PAGE: build it with python spaces/build.py course_page")
    body = text[start + len(CONFIG_START) :].strip().rstrip(";")
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise ValueError(
            "config.js is not the one python spaces/build.py course_page writes: rebuild it with --owner"
        ) from None


def course_mismatches(config: dict, owner: str, per_demo: bool, url_of: Callable[[str], str]) -> list[str]:
    """Where the course page's config.js looks for a Space other than where `url_of` says it is deployed."""
    rebuild = f"python spaces/build.py course_page --out OUT --owner {owner}{' --per-demo' if per_demo else ''}"
    found = []
    base = config.get("base", "")
    for space in spaces_for(per_demo, course_page=False):
        if space in streamlit_pages():
            looked_at = config.get("streamlit", "")
        elif "{slug}" in base:
            looked_at = base.replace("{slug}", host_label(space)) if per_demo else ""
        else:
            looked_at = f"{base.rstrip('/')}/{space}" if per_demo else base  # a demo inside the suite
        wanted = url_of(space)
        if looked_at.rstrip("/") != wanted.rstrip("/"):
            found.append(
                f"the course page looks for {space} at {looked_at or 'a Space per demo'}, but it is deployed as "
                f"{owner}/{repo_name(space)} at {wanted}: rebuild the page with {rebuild}, or rename the Space"
            )
    return found
