"""A link to the confidence-vs-density page: its query parameters to the page's settings and back. A bad value
falls back to its default, with a message that says which value was refused and why."""

import math
from collections.abc import Mapping
from dataclasses import replace

from core.uncertainty.data import ood_sets_for
from core.uncertainty.experiment import Setup

THRESHOLD_RANGE = (0.5, 0.99)  # of the confidence threshold, a max probability
PUSH_RANGE = (1.0, 50.0)  # of the push factor a in mean + a (x - mean)
MAX_POINTS = 20  # test points the page keeps
SETUP_FIELDS = {  # query parameter -> Setup field
    "data": "dataset",
    "clf": "classifier",
    "density": "density",
    "k": "k",
    "space": "space",
    "seed": "seed",
    "scale": "scaling",
}
DEFAULTS = {
    **{key: getattr(Setup(), field) for key, field in SETUP_FIELDS.items()},
    "threshold": 0.9,
    "push": 1.0,
    "ood": "far",
    "show_ood": True,
    "points": [],
}


def parse_whole(text: str) -> int:
    """A link parameter `text` as an int (the range is checked by the setup it fills)."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None


def number_in(text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise ValueError(f"{text!r} is not a number from {low:g} to {high:g}")
    return value


def parse_points(text: str) -> list[tuple[float, float]]:
    """Points written as `x1,y1;x2,y2` -> [(x1, y1), (x2, y2)]."""
    points = []
    for pair in filter(None, text.split(";")):
        try:
            x, y = (float(v) for v in pair.split(","))
        except ValueError:
            raise ValueError(f"{pair!r} is not a point: write points as x,y;x,y") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"{pair!r} is not a finite point")
        points.append((x, y))
    if len(points) > MAX_POINTS:
        raise ValueError(f"{len(points)} points is too many: give at most {MAX_POINTS}")
    return points


def state_from_link(params: Mapping[str, str]) -> tuple[dict, list[str]]:
    """The page state a link asks for, and one message per refused value (which then keeps its default)."""
    state, problems = dict(DEFAULTS), []

    def reject(key: str, err: ValueError) -> None:
        fallback = f"`{key}={state[key]}`" if state[key] != [] else "no test points"
        problems.append(f"The link's `{key}={params[key]}` is not usable ({err}); using {fallback} instead.")

    setup = Setup()
    for key, field in SETUP_FIELDS.items():
        if key in params:
            try:
                setup = replace(setup, **{field: parse_whole(params[key]) if key in ("k", "seed") else params[key]})
            except ValueError as err:
                reject(key, err)
            state[key] = getattr(setup, field)
    parsers = {
        "threshold": lambda text: number_in(text, *THRESHOLD_RANGE),
        "push": lambda text: number_in(text, *PUSH_RANGE),
        "points": parse_points,
    }
    for key, parse in parsers.items():
        if key in params:
            try:
                state[key] = parse(params[key])
            except ValueError as err:
                reject(key, err)
    if "ood" in params:
        if params["ood"] in ood_sets_for(state["data"]):
            state["ood"] = params["ood"]
        else:
            reject("ood", ValueError(f"choose one of {', '.join(ood_sets_for(state['data']))}"))
    return state, problems


def link_from_state(state: Mapping) -> dict[str, str]:
    """The query parameters that reopen the page in `state`."""
    link = {key: str(state[key]) for key in (*SETUP_FIELDS, "ood")}
    link |= {"threshold": f"{state['threshold']:g}", "push": f"{state['push']:g}"}
    if state["points"]:
        link["points"] = ";".join(f"{x:.4g},{y:.4g}" for x, y in state["points"])
    return link
