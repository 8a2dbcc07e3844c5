"""The transports use urllib3 through its public surface alone: checked on their source.

No module of `transports/` imports a private urllib3 name, reads or calls an attribute whose
name starts with one underscore on anything but its own `self`/`cls` (so neither
`super()._tunnel()` nor `connection._dns_host`), spells such a name in `getattr` and its
kin, or defines or touches one in a class derived from a urllib3 class (an override of
`_new_conn`, a read of `self._tunnel_host`). A urllib3 release may change its private
names without notice; its public ones are what it promises to keep.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "transports").rglob("*.py"))
_NAME_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    """One leading underscore and not a dunder: a name its owner may change at will."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _from_urllib3(module: str) -> bool:
    return module == "urllib3" or module.startswith("urllib3.")


def _urllib3_names(tree: ast.Module) -> set[str]:
    """The names this module binds to urllib3 or to something imported from it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if _from_urllib3(alias.name)
            )
        elif isinstance(node, ast.ImportFrom) and node.module and _from_urllib3(node.module):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root(node: ast.expr) -> str | None:
    """The name an expression like `urllib3.connection.HTTPConnection` starts from."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _urllib3_classes(tree: ast.Module, imported: set[str]) -> list[ast.ClassDef]:
    """The classes of this module derived from a urllib3 class (directly or through one of
    this module's classes derived from one)."""
    derived: dict[str, ast.ClassDef] = {}
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for node in classes:
            if node.name in derived:
                continue
            if any(_root(base) in imported or _root(base) in derived for base in node.bases):
                derived[node.name] = node
                changed = True
    return list(derived.values())


def private_uses(source: str) -> list[str]:
    """Every use of a private urllib3 name in `source` (a module of `transports/`), as
    "line: what"; empty when it keeps to urllib3's public surface."""
    tree = ast.parse(source)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _from_urllib3(node.module):
            parts = [*node.module.split("."), *(alias.name for alias in node.names)]
            found += [f"{node.lineno}: imports {part}" for part in parts if _private(part)]
        elif isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: imports {alias.name}"
                for alias in node.names
                if _from_urllib3(alias.name) and any(map(_private, alias.name.split(".")))
            ]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{node.lineno}: reaches into {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _NAME_FUNCTIONS
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"{node.lineno}: names {node.args[1].value!r}")
    for cls in _urllib3_classes(tree, _urllib3_names(tree)):
        for node in ast.walk(cls):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(node.name):
                found.append(f"{node.lineno}: {cls.name} overrides {node.name}")
            elif (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                found.append(f"{node.lineno}: {cls.name} touches {ast.unparse(node)}")
            elif (
                isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and _private(node.id)
            ):
                found.append(f"{node.lineno}: {cls.name} sets {node.id}")
    return sorted(set(found), key=lambda line: int(line.split(":")[0]))


@pytest.mark.parametrize("path", SOURCES)
def test_no_module_of_transports_uses_a_private_name_of_urllib3(path: str) -> None:
    assert private_uses((ROOT / path).read_text(encoding="utf-8")) == []


def test_the_scan_finds_each_way_of_reaching_a_private_name() -> None:
    source = """
import urllib3
from urllib3.connection import HTTPConnection
from urllib3.util import _private_helper
from urllib3._collections import HTTPHeaderDict

class Bounded(HTTPConnection):
    def _new_conn(self):
        return self._dns_host

    def _tunnel(self):
        super()._tunnel()

class Deeper(Bounded):
    _response_options = None

class Pool(urllib3.HTTPConnectionPool):
    def connect(self):
        return self.public_attribute

class Own:
    def __init__(self, connection):
        self._mine = connection._dns_host
        getattr(connection, "_tunnel_host")
"""

    assert private_uses(source) == [
        "4: imports _private_helper",
        "5: imports _collections",
        "8: Bounded overrides _new_conn",
        "9: Bounded touches self._dns_host",
        "11: Bounded overrides _tunnel",
        "12: reaches into super()._tunnel",
        "15: Deeper sets _response_options",
        "23: reaches into connection._dns_host",
        "24: names '_tunnel_host'",
    ]


def test_a_module_on_the_public_surface_passes_the_scan() -> None:
    source = """
import socket
from urllib3.connection import HTTPConnection

class Watched(HTTPConnection):
    def connect(self):
        super().connect()
        self.sock.shutdown(socket.SHUT_RDWR)

class Own:
    def __init__(self):
        self._lock = None
        self.__dict__
"""

    assert private_uses(source) == []
