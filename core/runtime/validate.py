"""Checks for values that come from a visitor: through the page they are what the widgets allow, through the
API they can be anything (NaN, a string, a huge number, a lone surrogate). Each check returns the clean value
or raises a ValueError that names the input and says what to send instead.
"""

import math

SHOWN_CHARS = 40  # how much of a bad value an error message repeats
MAX_MODEL_CHARS = 200  # a model menu's typed entry: "bundled", a hub id or a folder


def shown(value: object) -> str:
    """`repr(value)`, cut short, for an error message."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def number(
    value: object,
    name: str,
    low: float,
    high: float,
    *,
    whole: bool = False,
    above_low: bool = False,
    hint: str = "",
) -> float:
    """`value` as a finite float in [low, high] ((low, high] with `above_low`), a whole one with `whole`.

    Numbers in strings ("12") are accepted, as a text box sends them; booleans, NaN and infinities are not.
    """
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        x = math.nan
    in_range = (low < x if above_low else low <= x) and x <= high
    if isinstance(value, bool) or not math.isfinite(x) or not in_range or (whole and not x.is_integer()):
        kind = "a whole number" if whole else "a number"
        start = f"above {low:g}" if above_low else f"from {low:g}"
        raise ValueError(
            f"{name} must be {kind} {start} to {high:g}, got {shown(value)}" + (f": {hint}" if hint else "")
        )
    return x


def whole_number(value: object, name: str, low: int, high: int, *, hint: str = "") -> int:
    """`value` as an int in [low, high]."""
    return int(number(value, name, low, high, whole=True, hint=hint))


def text(value: object, name: str, *, max_chars: int, example: str, allow_empty: bool = False) -> str:
    """`value` as a string of valid Unicode, stripped, not empty (unless `allow_empty`), at most `max_chars` long."""
    if value is None and allow_empty:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {shown(value)}: type something such as {example!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{name} holds characters that are not valid text (e.g. a lone surrogate): retype it"
        ) from None
    stripped = value.strip()
    if not stripped and not allow_empty:
        raise ValueError(f"{name} is empty: type something such as {example!r}")
    if len(stripped) > max_chars:
        raise ValueError(f"{name} is {len(stripped)} characters long: keep it to at most {max_chars}")
    return stripped


def choice(value: object, name: str, allowed: tuple[str, ...] | list[str] | dict) -> str:
    """`value` if it is one of `allowed`, else a ValueError that lists them."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {shown(value)}")
    return value
