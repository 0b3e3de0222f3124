"""What a demo needs, found by reading its code: the project's modules it imports (followed through
`apps` and `core`, lazy imports inside functions included) and the pinned PyPI packages behind the rest."""

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ("apps", "core")  # the packages a Space carries; this `spaces` folder is never one of them
REQUIREMENTS = ROOT / "requirements.txt"
IMPORT_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow", "yaml": "pyyaml"}  # where a module and its package differ
ZEROGPU_DEFAULT_S = 60  # what `spaces.GPU` asks for when no duration is given
PROVIDED = {"spaces"}  # ZeroGPU's package: the Hub installs it in every Gradio Space
LOADED_BY = {  # packages that the named packages load without the project importing them itself
    "accelerate": ("transformers", "diffusers"),
    "tokenizers": ("transformers",),
    "safetensors": ("transformers", "diffusers", "accelerate"),
    "huggingface-hub": ("transformers", "diffusers", "gradio"),
    "numpy": ("gradio", "streamlit", "scikit-learn", "transformers", "diffusers", "plotly"),
    "pandas": ("gradio", "streamlit"),
    "pillow": ("gradio", "streamlit", "diffusers"),
    "fastapi": ("gradio",),
    "uvicorn": ("gradio",),
    "scipy": ("scikit-learn",),
    "threadpoolctl": ("scikit-learn",),
}


@dataclass(frozen=True)
class Needs:
    modules: frozenset[str]  # local modules, e.g. "core.prompting.generate"
    external: frozenset[str]  # top-level names of other modules imported, or looked up by name (find_spec)


def module_file(module: str) -> Path | None:
    """The source file of a local module or package, or None when `module` is not one (e.g. an attribute)."""
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST, module: str) -> set[str]:
    """Every module named by an import statement anywhere in `tree`, `from a import b` giving both a and a.b."""
    package = module if module_file(module) and module_file(module).name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _looked_up(tree: ast.Module) -> set[str]:
    """Modules named by string in `find_spec(...)` or `import_module(...)`, directly or through a module constant."""
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            arg = node.args[0]
            if func in ("find_spec", "import_module"):
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value)
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    names.add(constants[arg.id])
    return names


def follow(roots: list[str]) -> Needs:
    """The local modules reachable from `roots` (module names) and the external top-level names they use."""
    seen: set[str] = set()
    external: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        path = module_file(module)
        if path is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run their __init__
        tree = ast.parse(path.read_text(), filename=str(path))
        for name in _imports(tree, module):
            if name.split(".")[0] in LOCAL:
                todo.append(name)
            elif name:
                external.add(name.split(".")[0])
        for name in _looked_up(tree):
            if name.split(".")[0] not in LOCAL:
                external.add(name.split(".")[0])
    return Needs(frozenset(seen), frozenset(external))


def _is_gpu_decorator(node: ast.expr) -> bool:
    """`@gpu` or `@gpu(...)` (core.runtime.gpu), however it was imported."""
    target = node.func if isinstance(node, ast.Call) else node
    return (isinstance(target, ast.Name) and target.id == "gpu") or (
        isinstance(target, ast.Attribute) and target.attr == "gpu"
    )


def gpu_functions(path: Path) -> list[str]:
    """The names of the functions in the file `path` marked as GPU work."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(map(_is_gpu_decorator, node.decorator_list))
    ]


def gpu_durations(path: Path) -> dict[str, int | None]:
    """The seconds of GPU each GPU function of the file `path` asks for per call: `@gpu` asks ZeroGPU's default
    (60), `@gpu(duration=N)` N, and None where the duration is worked out from the call's inputs (a callable)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in filter(_is_gpu_decorator, node.decorator_list):
            given = (
                [k.value for k in decorator.keywords if k.arg == "duration"] if isinstance(decorator, ast.Call) else []
            )
            if not given:
                found[node.name] = ZEROGPU_DEFAULT_S
            elif isinstance(given[0], ast.Constant) and isinstance(given[0].value, int | float):
                found[node.name] = int(given[0].value)
            else:
                found[node.name] = None
    return found


def gpu_modules(needs: Needs) -> list[str]:
    """The modules among `needs` that define a GPU function, sorted."""
    return sorted(m for m in needs.modules if gpu_functions(module_file(m)))


def subpackages(needs: Needs) -> list[str]:
    """The `core` subpackages among `needs`, plus `core.runtime`, which every demo shares."""
    found = {".".join(m.split(".")[:2]) for m in needs.modules if m.startswith("core.") and m.count(".") >= 1}
    return sorted(found | {"core.runtime"})


def distribution(name: str) -> str:
    """The normalised distribution name, e.g. "Huggingface_Hub" -> "huggingface-hub"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_lines(path: Path = REQUIREMENTS) -> dict[str, str]:
    """Each requirement line of `path` by its normalised distribution name."""
    lines = {}
    for line in path.read_text().splitlines():
        spec = line.split("#")[0].strip()
        if spec and not spec.startswith("-"):
            lines[distribution(re.split(r"[<>=!~\[; ]", spec)[0])] = spec
    return lines


def distribution_of(module: str) -> str | None:
    """The distribution a Space installs for the top-level module `module`; None for the standard library and for
    what the Hub provides."""
    if module in sys.stdlib_module_names or module in PROVIDED:
        return None
    return IMPORT_NAMES.get(module, distribution(module))


def requirements(needs: Needs, path: Path = REQUIREMENTS) -> list[str]:
    """The lines of requirements.txt a Space needs: the pin of every package its code imports (or looks up by
    name), and the pins of what those packages load (LOADED_BY), in the file's order.

    Read from the project's own requirements, not from what this machine has installed; a package imported
    without a pin is an error, so that a Space never installs an untested version.
    """
    pins = pinned_lines(path)
    kept = set()
    for module in sorted(needs.external):
        name = distribution_of(module)
        if name is None:
            continue
        if name not in pins:
            raise ValueError(
                f"the code imports {module!r} but {path.name} has no pin for {name}: add a line {name}==<version> "
                "(the version the tests run with)"
            )
        kept.add(name)
    while True:
        more = {name for name, loaders in LOADED_BY.items() if name not in kept and kept & set(loaders)}
        if not more:
            break
        kept |= more
    return [line for name, line in pins.items() if name in kept]
