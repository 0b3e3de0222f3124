"""The suite's demos: one entry each in `catalog.toml`, in the order the index lists them.

`name` is the URL path (`/<name>/`) and the module `apps.<name>`; a Gradio demo's module exposes
`demo`, a Streamlit page is a script run by `streamlit run`.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parent
CATALOG = APPS_DIR / "catalog.toml"


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    does: str  # one line: what it lets a student do
    concept: str  # the course concept it teaches
    kind: str = "gradio"  # "gradio" or "streamlit"
    models: tuple[str, ...] = ()  # registry name of each model to warm up once the server is up
    hardware: str = "cpu-basic"  # Space hardware, e.g. "zero-a10g": on a GPU the models' hub defaults are used

    @property
    def module(self) -> str:
        return f"apps.{self.name}"

    @property
    def script(self) -> Path:
        return APPS_DIR / f"{self.name}.py"

    @property
    def wants_gpu(self) -> bool:
        return not self.hardware.startswith("cpu")


def _read(path: Path = CATALOG) -> tuple[Demo, ...]:
    """The `[[demo]]` entries of `path`, in order."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["demo"]
    return tuple(Demo(**{**entry, "models": tuple(entry.get("models", ()))}) for entry in entries)


DEMOS: tuple[Demo, ...] = _read()


def by_name(name: str) -> Demo:
    for demo in DEMOS:
        if demo.name == name:
            return demo
    raise KeyError(f"unknown demo {name!r}: choose one of {', '.join(d.name for d in DEMOS)}")


def gradio_demos() -> tuple[Demo, ...]:
    return tuple(d for d in DEMOS if d.kind == "gradio")


def streamlit_demos() -> tuple[Demo, ...]:
    return tuple(d for d in DEMOS if d.kind == "streamlit")
