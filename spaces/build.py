"""Build a self-contained folder per Hugging Face Space, ready for `python spaces/deploy.py`.

    python spaces/build.py <demo|suite|all> --out DIR
    python spaces/build.py course_page --out DIR --owner USER [--per-demo]

Each Gradio demo becomes a Gradio Space, each Streamlit page a Docker Space, and `suite` every Gradio demo in one
Docker Space. A folder holds the entry file, the `apps` modules and `core` subpackages the demo imports (with
`core.runtime`), so only the bundled weights it uses, a `requirements.txt` cut from the project's pins, and a
README.md whose front matter configures the Space. `course_page` is the static page that embeds them all.

This folder is never copied into a Space, and holds scripts rather than a package: on a Space `spaces` must be
the PyPI package of ZeroGPU, which gradio imports there.
"""

import argparse
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))  # the project's `apps` and `core`, as seen from the repository root

import cards  # noqa: E402
import entries  # noqa: E402
import zerogpu  # noqa: E402
from cli import print_lines  # noqa: E402
from imports import Needs, follow, gpu_modules, module_file, requirements, subpackages  # noqa: E402

from apps.catalog import DEMOS, Demo, by_name  # noqa: E402

SUITE = "suite"
SUITE_TITLE = "genai-demos"
COURSE_PAGE = "course_page"
MAX_FILE_BYTES = 10 * 2**20  # the Hub wants Git LFS (Xet) for larger files
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
LOOK = {"emoji": "🎓", "colorFrom": "blue", "colorTo": "indigo", "pinned": False, "license": "mit"}
ZEROGPU_TORCH = "torch==2.11.0"  # GPU Spaces: a version ZeroGPU supports (2.8.0, 2.9.1, 2.10.0, 2.11.0), CUDA wheel
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"  # CPU Spaces: the CPU-only wheel, a far smaller install
GRADIO_JS = "https://gradio.s3-us-west-2.amazonaws.com/{version}/gradio.js"  # the web component, per Gradio version
STREAMLIT_SETTINGS = ".streamlit"  # config.toml of the Streamlit page, read from the folder it runs in


@dataclass(frozen=True)
class Built:
    name: str
    folder: Path
    sdk: str
    size: int  # bytes
    files: int


def model_modules(demos: tuple[Demo, ...]) -> list[str]:
    """The modules that register the demos' models (the registry imports them on first use)."""
    from core.runtime.registry import registering_module

    return [m for d in demos for name in d.models if (m := registering_module(name))]


def hub_on_gpu(demo: Demo) -> tuple[str, ...]:
    """The demo's models whose hub default it runs on a GPU (none for a demo meant for the CPU)."""
    from core.runtime import spec_for

    if not demo.wants_gpu:
        return ()
    return tuple(name for name in demo.models if spec_for(name).hub_default)


def hub_ids(models: tuple[str, ...]) -> list[str]:
    """The hub default of each model, each id once (two menus may share one: SD-Turbo is the text-to-image
    default and the distilled one)."""
    from core.runtime import spec_for

    return list(dict.fromkeys(spec_for(name).hub_default for name in models))


def menu_hub_ids(models: tuple[str, ...]) -> list[str]:
    """Each model's hub default, then every other hub model its menu offers on a GPU Space (the rest of
    `ModelSpec.hub`: the instruct sibling of a base model, the SD 1.5-class model beside SD-Turbo), each id once. A GPU Space
    preloads them all, so that no choice in a menu starts a download of gigabytes while a class waits."""
    from core.runtime import spec_for

    found = hub_ids(models)
    for name in models:
        found += [source for source in spec_for(name).hub if source not in found]
    return found


def copy_sources(needs: Needs, folder: Path) -> None:
    """The `apps` modules in `needs` with the data file each reads beside it (`apps/catalog.toml`), and `core` with
    every subpackage it needs (data and weights included)."""
    for module in sorted(needs.modules):
        if module.split(".")[0] == "apps":
            source = module_file(module)
            target = folder / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            if source.with_suffix(".toml").is_file():
                shutil.copy2(source.with_suffix(".toml"), target.with_suffix(".toml"))
    (folder / "core").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "core" / "__init__.py", folder / "core" / "__init__.py")
    for package in subpackages(needs):
        path = Path(*package.split("."))
        shutil.copytree(ROOT / path, folder / path, ignore=SKIP)


def space_requirements(needs: Needs, gpu: bool) -> list[str]:
    """The project's pins the Space's code needs; torch as ZeroGPU's version on a GPU, else the CPU-only wheel."""
    lines = requirements(needs)
    torch = next((line for line in lines if re.match(r"torch\b", line)), None)
    if torch is None:
        return lines
    if gpu:
        return [ZEROGPU_TORCH if line == torch else line for line in lines]
    cpu = torch if "+" in torch else f"{torch}+cpu"
    return [f"--extra-index-url {TORCH_CPU_INDEX}", *(cpu if line == torch else line for line in lines)]


def write_requirements(needs: Needs, folder: Path, gpu: bool = False) -> None:
    header = "# The pins of genai-demos' requirements.txt that this Space's code needs.\n"
    if gpu:
        header += "# torch: a version ZeroGPU supports, not the project's CPU pin.\n"
    (folder / "requirements.txt").write_text(header + "\n".join(space_requirements(needs, gpu)) + "\n")


def gradio_space(demo: Demo, folder: Path) -> None:
    import gradio

    hub = hub_on_gpu(demo)
    needs = follow([demo.module, "apps.hosting", "apps.serving", *model_modules((demo,))])
    if demo.hardware.startswith("zero"):
        long_calls = zerogpu.too_long({m: module_file(m) for m in gpu_modules(needs)})
        if long_calls:
            raise ValueError(
                zerogpu.refusal(f"{demo.name} (hardware {demo.hardware} in apps/catalog.toml)", long_calls)
            )
    copy_sources(needs, folder)
    write_requirements(needs, folder, gpu=demo.wants_gpu)
    app = entries.gradio_app(demo.name, demo.title, demo.does, demo.models, hub, gpu_modules(needs))
    (folder / "app.py").write_text(app)
    fields = {
        "title": demo.title, **LOOK, "sdk": "gradio", "sdk_version": gradio.__version__,
        "python_version": cards.PYTHON_VERSION, "app_file": "app.py",
        "short_description": cards.short_description(demo.concept), "suggested_hardware": demo.hardware,
    }  # fmt: skip
    models = menu_hub_ids(hub)
    if models:
        fields["models"] = models
        fields["preload_from_hub"] = [
            cards.preload_entry(m) for m in models
        ]  # fetched at build: waking downloads nothing
    body = f"{demo.does}\n\nCourse concept: {demo.concept}. One demo of genai-demos, which teaches how generative AI works.\n\n"
    if models:
        default, *others = (f"`{m}` ({cards.licence_of(m)})" for m in models)
        offered = f", and offers {', '.join(others)} in its model menu" if others else ""
        body += (
            f"On a GPU (this Space suggests `{demo.hardware}`, ZeroGPU) the demo runs {default} from the Hugging Face "
            f"Hub{offered}, preloaded when the Space is built; on CPU hardware it runs the small model bundled here. "
            "The page says which."
        )
    else:
        body += "It runs the small models bundled in this Space, on the CPU."
    (folder / "README.md").write_text(cards.readme(fields, demo.title, body))


def docker_space(
    name: str, title: str, description: str, folder: Path, command: list[str], port: int, health: str
) -> dict:
    """Write the Dockerfile; the front matter fields of a Docker Space."""
    (folder / "Dockerfile").write_text(entries.dockerfile(name, title, cards.PYTHON_VERSION, command, port, health))
    fields = {"title": title, **LOOK, "sdk": "docker", "app_port": port, "short_description": description,
              "suggested_hardware": "cpu-basic"}  # fmt: skip
    return fields


def streamlit_space(demo: Demo, folder: Path) -> None:
    needs = follow([demo.module])
    copy_sources(needs, folder)
    shutil.copytree(ROOT / STREAMLIT_SETTINGS, folder / STREAMLIT_SETTINGS)  # CORS open for the course page's probe
    write_requirements(needs, folder)
    script = demo.script.relative_to(ROOT).as_posix()
    port = entries.STREAMLIT_PORT
    fields = docker_space(demo.name, demo.title, cards.short_description(demo.concept), folder,
                          entries.streamlit_command(script), port, "/_stcore/health")  # fmt: skip
    body = f"{demo.does}\n\nCourse concept: {demo.concept}. A Streamlit page of genai-demos, run as a Docker Space on port {port}."
    (folder / "README.md").write_text(cards.readme(fields, demo.title, body))


def suite_space(folder: Path) -> None:
    needs = follow(
        ["apps.launcher", "apps.index", *(d.module for d in DEMOS if d.kind == "gradio"), *model_modules(DEMOS)]
    )
    copy_sources(needs, folder)
    write_requirements(needs, folder)
    (page,) = (d for d in DEMOS if d.kind == "streamlit")
    (folder / "app.py").write_text(entries.suite_app(page.name, page.title))
    fields = docker_space(SUITE, SUITE_TITLE, "Every genai-demos course demo in one Space", folder,
                          entries.suite_command(), entries.SUITE_PORT, "/")  # fmt: skip
    listing = "\n".join(
        f"- **{d.title}** ({f'`/{d.name}/`' if d.kind == 'gradio' else 'Streamlit, its own Space'}): {d.does}"
        for d in DEMOS
    )
    body = (
        "Interactive demos that teach how generative AI works, all served by one launcher on the bundled models, on "
        f"the CPU.\n\n{listing}\n\nA Docker Space exposes one port, so the Streamlit page runs as its own Space: set "
        f"this Space's variable `{entries.STREAMLIT_URL_VARIABLE}` to that Space's URL, and `/{page.name}/` forwards "
        "to it (until then it says what to do)."
    )
    (folder / "README.md").write_text(cards.readme(fields, SUITE_TITLE, body))


def host_label(text: str) -> str:
    """`text` as it appears in a Space's address: lower case, with "-" for anything else than letters and digits."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def space_host(owner: str, space: str) -> str:
    """The address of the Space `owner/space`, e.g. https://my-user-genai-demos.hf.space."""
    return f"https://{host_label(owner)}-{host_label(space)}.hf.space"


def course_config(owner: str, per_demo: bool) -> dict:
    """config.js of the course page: the owner's suite Space (or one Space per demo, named after the demo with
    "-" for "_"), the Streamlit page's Space, the web component of the installed Gradio, and the demos that run
    on ZeroGPU (with one Space per demo, those the catalog puts there; the suite runs on the CPU)."""
    import gradio

    (page,) = (d for d in DEMOS if d.kind == "streamlit")
    base = f"https://{host_label(owner)}-{{slug}}.hf.space" if per_demo else space_host(owner, SUITE_TITLE)
    return {
        "base": base,
        "streamlit": space_host(owner, page.name),
        "gradio_js": GRADIO_JS.format(version=gradio.__version__),
        "zerogpu": [d.name for d in DEMOS if per_demo and d.hardware.startswith("zero")],
    }


def course_page(folder: Path, owner: str, per_demo: bool) -> None:
    shutil.copytree(ROOT / "spaces" / COURSE_PAGE, folder, ignore=SKIP, dirs_exist_ok=True)
    header = (
        f"/* Where the course page finds the demos: built by `python spaces/build.py course_page --owner {owner}`. */\n"
    )
    config = json.dumps(course_config(owner, per_demo), indent=2)
    (folder / "config.js").write_text(f"{header}window.COURSE_PAGE = {config};\n")


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


def build(name: str, out: Path, owner: str | None = None, per_demo: bool = False) -> Built:
    """Build the Space `name` (a demo's name, "suite" or "course_page") into `out/<name>`, replacing what was there."""
    folder = out / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if name == COURSE_PAGE:
        if not owner:
            raise ValueError("the course page needs --owner USER: the Hugging Face user or organisation of the Spaces")
        course_page(folder, owner, per_demo)
        return measure(name, folder, "static")
    if name == SUITE:
        suite_space(folder)
        return measure(name, folder, "docker")
    demo = by_name(name)
    if demo.kind == "gradio":
        gradio_space(demo, folder)
        return measure(name, folder, "gradio")
    streamlit_space(demo, folder)
    return measure(name, folder, "docker")


def names() -> list[str]:
    """The Spaces `all` builds: every demo, and the suite."""
    return [d.name for d in DEMOS] + [SUITE]


def built_lines(space: str, out: Path, owner: str | None, per_demo: bool) -> Iterator[str]:
    """Build `space` (or every Space, for `all`) into `out`, one line per Space built; a ValueError says what to fix."""
    known = [*names(), COURSE_PAGE]
    if space != "all" and space not in known:
        raise ValueError(f"unknown Space {space!r}: choose one of {', '.join(known)}, or all")
    for name in names() if space == "all" else [space]:
        built = build(name, out, owner, per_demo)
        yield f"{built.name}: {built.sdk} Space, {human_size(built.size)} in {built.files} files -> {built.folder}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python spaces/build.py", description=__doc__.splitlines()[0])
    parser.add_argument("space", help=f"one of: {', '.join(names())}, all, or {COURSE_PAGE}")
    parser.add_argument("--out", type=Path, required=True, help="folder to build into (one subfolder per Space)")
    parser.add_argument("--owner", help=f"{COURSE_PAGE}: the Hugging Face user or organisation that owns the Spaces")
    parser.add_argument(
        "--per-demo", action="store_true", help=f"{COURSE_PAGE}: one Space per demo, named after it, not the suite"
    )
    args = parser.parse_args(argv)
    return print_lines(built_lines(args.space, args.out, args.owner, args.per_demo), ValueError)


if __name__ == "__main__":
    sys.exit(main())
