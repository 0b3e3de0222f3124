"""CONTRIBUTING.md names real things: every path it gives exists (a `<placeholder>` matches at least one), and
every dotted name under `core`, `apps` or `spaces` is a module or a name defined in one."""

import ast
import re

import pytest

from tests.conftest import ROOT

GUIDE = (ROOT / "CONTRIBUTING.md").read_text()
QUOTED = re.findall(r"`([^`\n]+)`", GUIDE)  # every `code span`
PATHS = sorted({q for q in QUOTED if re.fullmatch(r"[\w.<>*-]+(/[\w.<>*-]*)+", q)})
FILES = sorted({q for q in QUOTED if re.fullmatch(r"[\w<>*-]+\.(py|md)", q)})  # a file of a folder the text names
DOTTED = sorted({q for q in QUOTED if re.fullmatch(r"(core|apps|spaces)(\.\w+)+", q)})


def test_the_guide_names_paths_and_dotted_names():
    assert "core/runtime/registry.py" in PATHS and "core/pictures/" in PATHS
    assert "core.runtime.seeding.MAX_SEED" in DOTTED
    assert "warming.py" in FILES


@pytest.mark.parametrize("path", PATHS)
def test_every_path_the_guide_names_exists(path):
    pattern = re.sub(r"<[^>]+>", "*", path).rstrip("/")
    assert next(ROOT.glob(pattern), None) is not None, f"CONTRIBUTING.md names {path!r}, which is not in the repo"


@pytest.mark.parametrize("name", FILES)
def test_every_file_the_guide_names_without_its_folder_exists_somewhere(name):
    pattern = re.sub(r"<[^>]+>", "*", name)
    assert next(ROOT.glob(f"[act]*/**/{pattern}"), None) is not None, f"CONTRIBUTING.md names {name!r}: no such file"


def defines(module: str, name: str) -> bool:
    """Whether `module`'s file assigns, defines or imports `name` at its top level."""
    file = ROOT / (module.replace(".", "/") + ".py")
    if not file.exists():
        file = ROOT / module.replace(".", "/") / "__init__.py"
    for node in ast.parse(file.read_text()).body:
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
        if getattr(node, "name", None) == name:
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


@pytest.mark.parametrize("dotted", DOTTED)
def test_every_dotted_name_the_guide_gives_is_defined(dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = "/".join(parts[:cut])
        if (ROOT / f"{module}.py").exists() or (ROOT / module / "__init__.py").exists():
            rest = parts[cut:]
            assert len(rest) <= 1, f"{dotted}: {'.'.join(rest)} is not a name in {'.'.join(parts[:cut])}"
            assert not rest or defines(".".join(parts[:cut]), rest[0]), f"{dotted} is not defined"
            return
    pytest.fail(f"CONTRIBUTING.md names {dotted!r}, which is no module of the repo")
