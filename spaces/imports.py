"""What a demo needs, found by reading its code: the project's modules it imports (followed through
`apps` and `core`, lazy imports inside functions included) and the pinned PyPI packages behind the rest."""

import ast
import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ("apps", "core")  # the packages a Space carries; `spaces` (this package) is never one of them
REQUIREMENTS = ROOT / "requirements.txt"


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


def subpackages(needs: Needs) -> list[str]:
    """The `core` subpackages among `needs`, plus `core.runtime`, which every demo shares."""
    found = {".".join(m.split(".")[:2]) for m in needs.modules if m.startswith("core.") and m.count(".") >= 1}
    return sorted(found | {"core.runtime"})


def _distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_lines(path: Path = REQUIREMENTS) -> dict[str, str]:
    """Each requirement line of `path` by its normalised distribution name."""
    lines = {}
    for line in path.read_text().splitlines():
        spec = line.split("#")[0].strip()
        if spec and not spec.startswith("-"):
            lines[_distribution(re.split(r"[<>=!~\[; ]", spec)[0])] = spec
    return lines


def distributions(external: frozenset[str]) -> set[str]:
    """The installed distributions that provide the top-level module names in `external`."""
    by_module = importlib.metadata.packages_distributions()
    names = set()
    for name in external:
        names.update(_distribution(d) for d in by_module.get(name, ()))
    return names


def _depends_on(name: str) -> set[str]:
    """The distributions `name` requires (extras left out); none when it is not installed here."""
    try:
        requires = importlib.metadata.requires(name) or []
    except importlib.metadata.PackageNotFoundError:
        return set()
    return {_distribution(re.split(r"[<>=!~\[; (]", r)[0]) for r in requires if "extra ==" not in r}


def _installed_with(names: set[str]) -> set[str]:
    """`names` and everything they require, transitively."""
    found, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += _depends_on(name)
    return found


def requirements(needs: Needs, everything: Needs) -> list[str]:
    """The pinned lines of requirements.txt a Space needs.

    A pin is kept when the demo's code imports its package, or names it in a string (a package looked up with
    `find_spec`). A pin that no module of the project mentions (accelerate, tokenizers: libraries that other
    libraries load) is kept when what it depends on is installed anyway, so accelerate comes along with torch.
    """
    pins = pinned_lines()
    kept = distributions(needs.external) & set(pins)
    mentioned = distributions(everything.external) & set(pins)
    installed = _installed_with(kept)
    for name in sorted(set(pins) - mentioned):
        if _depends_on(name) & set(pins) <= installed:
            kept.add(name)
    return [pins[name] for name in pins if name in kept]
