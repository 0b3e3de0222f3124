"""What ZeroGPU grants each visitor of a Space, and whether a Space's GPU functions fit it.

Figures from https://huggingface.co/docs/hub/spaces-zerogpu ("Usage Tiers"): each visitor has a daily quota of
GPU time, and a call that asks for more than the visitor has left is refused ("You have exceeded your GPU quota
(46s left vs. 60s requested)"). A call asks for the duration its `@gpu(duration=...)` names.
"""

from pathlib import Path

from imports import gpu_durations

DAILY_QUOTA_S = {"without a login": 120, "free account": 300, "PRO account": 2400}
MAX_CALL_S = 60  # the most one call may ask for on ZeroGPU: a logged-in student then has at least 5 calls a day


def too_long(files: dict[str, Path]) -> list[str]:
    """Each GPU function in `files` (a module's name: its source) that asks for more than MAX_CALL_S a call, as
    "module.function (N s)"; a duration worked out from the inputs is trusted to fit."""
    return [
        f"{module}.{function} ({seconds} s)"
        for module, path in sorted(files.items())
        for function, seconds in gpu_durations(path).items()
        if seconds is not None and seconds > MAX_CALL_S
    ]


def refusal(space: str, long_calls: list[str]) -> str:
    """Why `space` cannot run on ZeroGPU, and where to run it instead."""
    return (
        f"{space} asks ZeroGPU for more than {MAX_CALL_S} s in one call: {', '.join(long_calls)}; a visitor gets "
        f"{DAILY_QUOTA_S['without a login']} s a day without a login and {DAILY_QUOTA_S['free account']} s with a "
        "free account, so a class would be refused after a click or two. Run it on cpu-basic (hardware in "
        "apps/catalog.toml, or --hardware cpu-basic) or on dedicated GPU hardware (--hardware t4-small or l4x1)"
    )


def folder_modules(folder: Path) -> dict[str, Path]:
    """The Python modules of a built Space's folder, by module name."""
    return {
        ".".join(path.relative_to(folder).with_suffix("").parts): path
        for path in sorted(folder.rglob("*.py"))
        if "__pycache__" not in path.parts
    }
