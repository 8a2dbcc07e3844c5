"""The modules that decide do no I/O: checked on their imports (STYLE.md, Layout). In sqcore
they are folders: every module of `sqcore/core/` and `sqcore/engine/`."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# -- sqcore: the pure folders --------------------------------------------------------------

#: Each pure folder of sqcore, and the parts of sqcore its modules may import: the core
#: imports only the core; the engine, the core and the engine.
SQCORE_PURE = {
    "sqcore/core": ("sqcore.core",),
    "sqcore/engine": ("sqcore.core", "sqcore.engine"),
}
SQCORE = sorted(
    path.relative_to(ROOT).as_posix()
    for folder in SQCORE_PURE
    for path in (ROOT / folder).rglob("*.py")
)

# -- transports: the pure modules ----------------------------------------------------------

PURE = [
    *SQCORE,
    "transports/_types.py",
    "transports/_proxy.py",
    "transports/_no_proxy.py",
    "transports/_urls.py",
    "transports/emulator/_state.py",
    "transports/emulator/_view.py",
    "transports/emulator/_bodies.py",
    "transports/emulator/_routes.py",
    "transports/emulator/_replies.py",
    "transports/emulator/_encoding.py",
]
FORBIDDEN = {
    "time",
    "os",
    "random",
    "logging",
    "warnings",
    "urllib3",
    "socket",
    "threading",
    "subprocess",
    "sys",
    "pathlib",
    "http",
    "transports.emulator",
    "transports.urllib3",
}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval"}
#: A pure module may import another pure one (the emulator's pure modules import each other).
PURE_MODULES = {path.removesuffix(".py").replace("/", ".") for path in PURE}


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE)
def test_pure_module_imports_nothing_that_does_io(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for name in _imports(tree) - PURE_MODULES:
        root_parts = [".".join(name.split(".")[: i + 1]) for i in range(name.count(".") + 1)]
        assert not set(root_parts) & FORBIDDEN, f"{path} imports {name}"
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & FORBIDDEN_CALLS, f"{path} calls {calls & FORBIDDEN_CALLS}"


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "transports").rglob("*.py"))
)
def test_transports_never_import_sqcore(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    assert not any(name == "sqcore" or name.startswith("sqcore.") for name in _imports(tree))


@pytest.mark.parametrize("path", SQCORE)
def test_sqcores_pure_folders_import_of_sqcore_only_what_is_pure(path: str) -> None:
    folder = path.rsplit("/", 1)[0]
    allowed = SQCORE_PURE[folder]
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for name in _imports(tree):
        if name == "sqcore" or name.startswith("sqcore."):
            assert name.startswith(allowed), f"{path} imports {name}"


def test_the_pure_folders_are_not_empty_and_a_shell_import_is_caught() -> None:
    assert {path.rsplit("/", 1)[0] for path in SQCORE} == set(SQCORE_PURE)
    tree = ast.parse("from sqcore.shell.steps import logger\nimport time\n")
    names = _imports(tree)
    assert not all(name.startswith(SQCORE_PURE["sqcore/engine"]) for name in names)
    assert names & FORBIDDEN == {"time"}
