"""Build a self-contained folder per Hugging Face Space, ready for `python -m spaces.deploy`.

    python -m spaces.build <demo|suite|all> --out DIR [--streamlit-url URL]

Each Gradio demo becomes a Gradio Space, each Streamlit page a Docker Space, and `suite` the whole launcher
as one Docker Space. A folder holds the entry file, the `apps` modules and `core` subpackages the demo imports
(with `core.runtime`), so only the bundled weights it uses, a `requirements.txt` cut from the project's pins,
and a README.md whose front matter configures the Space.

This `spaces/` package itself is never copied: on the Hub a top-level `spaces` must be the PyPI package of
ZeroGPU (`spaces.GPU`, imported by `core.runtime.gpu`), which a copy of ours would shadow.
"""

import argparse
import importlib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from apps.catalog import DEMOS, Demo, by_name
from spaces import cards, entries
from spaces.imports import ROOT, Needs, follow, module_file, requirements, subpackages

SUITE = "suite"
SUITE_TITLE = "genai-demos"
MAX_FILE_BYTES = 10 * 2**20  # the Hub wants Git LFS (Xet) for larger files
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
LOOK = {"emoji": "🎓", "colorFrom": "blue", "colorTo": "indigo", "pinned": False, "license": "mit"}


@dataclass(frozen=True)
class Built:
    name: str
    folder: Path
    sdk: str
    size: int  # bytes
    files: int


def everything() -> Needs:
    """What the whole project imports: a pin no module mentions is a library other libraries load."""
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts) for d in ("apps", "core") for p in (ROOT / d).rglob("*.py")
    ]
    return follow([m.removesuffix(".__init__") for m in modules])


def model_modules(demos: tuple[Demo, ...]) -> list[str]:
    return [entry.rpartition(":")[0] for d in demos for entry in d.models if ":" in entry]


def hub_on_gpu(demo: Demo) -> tuple[str, ...]:
    """The demo's models whose hub default it runs on a GPU (none for a demo meant for the CPU)."""
    from core.runtime import spec_for

    if not demo.wants_gpu:
        return ()
    found = []
    for entry in demo.models:
        module, _, name = entry.rpartition(":")
        importlib.import_module(module)
        if spec_for(name).hub_default:
            found.append(entry)
    return tuple(found)


def hub_ids(models: tuple[str, ...]) -> list[str]:
    """The hub default of each "module:name" entry."""
    from core.runtime import spec_for

    return [spec_for(entry.rpartition(":")[2]).hub_default for entry in models]


def copy_sources(needs: Needs, folder: Path) -> None:
    """The `apps` modules in `needs`, and `core` with every subpackage it needs (data and weights included)."""
    for module in sorted(needs.modules):
        if module.split(".")[0] == "apps":
            source = module_file(module)
            target = folder / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (folder / "core").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "core" / "__init__.py", folder / "core" / "__init__.py")
    for package in subpackages(needs):
        path = Path(*package.split("."))
        shutil.copytree(ROOT / path, folder / path, ignore=SKIP)


def write_requirements(needs: Needs, folder: Path, every: Needs) -> None:
    lines = requirements(needs, every)
    header = "# The pins of genai-demos' requirements.txt that this Space's code needs.\n"
    (folder / "requirements.txt").write_text(header + "\n".join(lines) + "\n")


def gradio_space(demo: Demo, folder: Path, every: Needs) -> None:
    import gradio

    hub = hub_on_gpu(demo)
    needs = follow([demo.module, "apps.hosting", *model_modules((demo,))])
    copy_sources(needs, folder)
    write_requirements(needs, folder, every)
    (folder / "app.py").write_text(entries.gradio_app(demo.name, demo.title, demo.does, demo.models, hub))
    fields = {
        "title": demo.title, **LOOK, "sdk": "gradio", "sdk_version": gradio.__version__,
        "python_version": cards.PYTHON_VERSION, "app_file": "app.py",
        "short_description": cards.short_description(demo.concept), "suggested_hardware": demo.hardware,
    }  # fmt: skip
    models = hub_ids(hub)
    if models:
        fields["models"] = models
        fields["preload_from_hub"] = models  # downloaded when the Space is built, so waking it downloads nothing
    body = f"{demo.does}\n\nCourse concept: {demo.concept}. One demo of genai-demos, which teaches how generative AI works.\n\n"
    if models:
        used = ", ".join(f"`{m}` ({cards.licence_of(m)})" for m in models)
        body += (
            f"On a GPU (this Space suggests `{demo.hardware}`) the demo runs {used} from the Hugging Face Hub, "
            "preloaded when the Space is built; on CPU hardware it runs the small model bundled here. "
            "The page says which."
        )
    else:
        body += "It runs the small models bundled in this Space, on the CPU."
    (folder / "README.md").write_text(cards.readme(fields, demo.title, body))


def docker_space(
    name: str,
    title: str,
    description: str,
    folder: Path,
    command: list[str],
    port: int,
    health: str,
    env: dict[str, str],
) -> dict:
    """Write the Dockerfile; the front matter fields of a Docker Space."""
    text = entries.dockerfile(name, title, "3.11", command, port, health, env)
    (folder / "Dockerfile").write_text(text)
    fields = {"title": title, **LOOK, "sdk": "docker", "app_port": port, "short_description": description,
              "suggested_hardware": "cpu-basic"}  # fmt: skip
    return fields


def streamlit_space(demo: Demo, folder: Path, every: Needs) -> None:
    needs = follow([demo.module])
    copy_sources(needs, folder)
    write_requirements(needs, folder, every)
    script = demo.script.relative_to(ROOT).as_posix()
    port = entries.STREAMLIT_PORT
    fields = docker_space(demo.name, demo.title, cards.short_description(demo.concept), folder,
                          entries.streamlit_command(script), port, "/_stcore/health", {})  # fmt: skip
    body = f"{demo.does}\n\nCourse concept: {demo.concept}. A Streamlit page of genai-demos, run as a Docker Space on port {port}."
    (folder / "README.md").write_text(cards.readme(fields, demo.title, body))


def suite_space(folder: Path, every: Needs, streamlit_url: str | None) -> None:
    needs = follow(["apps.__main__", "apps.launcher", "apps.index", *(d.module for d in DEMOS), *model_modules(DEMOS)])
    copy_sources(needs, folder)
    write_requirements(needs, folder, every)
    env = {"GENAI_STREAMLIT_URL": streamlit_url} if streamlit_url else {}
    fields = docker_space(SUITE, SUITE_TITLE, "Every genai-demos course demo in one Space", folder,
                          entries.suite_command(), entries.SUITE_PORT, "/", env)  # fmt: skip
    listing = "\n".join(
        f"- **{d.title}** ({f'`/{d.name}/`' if d.kind == 'gradio' else 'Streamlit, its own Space'}): {d.does}"
        for d in DEMOS
    )
    body = (
        "Interactive demos that teach how generative AI works, all served by one launcher (`python -m apps`) on the "
        f"bundled models, on the CPU.\n\n{listing}\n\nA Docker Space exposes one port, so the Streamlit page is linked "
        "to its own Space: set the Space variable `GENAI_STREAMLIT_URL` to that Space's URL."
    )
    (folder / "README.md").write_text(cards.readme(fields, SUITE_TITLE, body))


def measure(name: str, folder: Path, sdk: str) -> Built:
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SystemExit(
                f"error: {path} is {path.stat().st_size / 2**20:.1f} MB; the Hub needs files over "
                f"{MAX_FILE_BYTES // 2**20} MB in Git LFS: make the bundled model smaller or upload it as a hub model"
            )
    return Built(name, folder, sdk, sum(p.stat().st_size for p in files), len(files))


def human_size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.0f} kB"


def build(name: str, out: Path, streamlit_url: str | None = None, every: Needs | None = None) -> Built:
    """Build the Space `name` (a demo's name or "suite") into `out/<name>`, replacing what was there."""
    every = every or everything()
    folder = out / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if name == SUITE:
        suite_space(folder, every, streamlit_url)
        return measure(name, folder, "docker")
    demo = by_name(name)
    if demo.kind == "gradio":
        gradio_space(demo, folder, every)
        return measure(name, folder, "gradio")
    streamlit_space(demo, folder, every)
    return measure(name, folder, "docker")


def names() -> list[str]:
    return [d.name for d in DEMOS] + [SUITE]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spaces.build", description=__doc__.splitlines()[0])
    parser.add_argument("space", help=f"one of: {', '.join(names())}, or all")
    parser.add_argument("--out", type=Path, required=True, help="folder to build into (one subfolder per Space)")
    parser.add_argument("--streamlit-url", help="the Streamlit page's own Space URL, linked from the suite's index")
    args = parser.parse_args(argv)
    if args.space != "all" and args.space not in names():
        print(f"error: unknown Space {args.space!r}: choose one of {', '.join(names())}, or all", file=sys.stderr)
        return 2
    every = everything()
    for name in names() if args.space == "all" else [args.space]:
        built = build(name, args.out, args.streamlit_url, every)
        print(f"{built.name}: {built.sdk} Space, {human_size(built.size)} in {built.files} files -> {built.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
