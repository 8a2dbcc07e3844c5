"""The API reference covers every public name: each name in `sqcore.__all__`,
`sqcore.aio.__all__` and `transports.__all__`, and each public method and property of a
public class, has a docstring as the docs site reads it (griffe, with the extensions
mkdocs.yml loads); each has its place on a reference page; and the README's list of public
names is exactly the three `__all__`s."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import griffe
import pytest

from tools.griffe_sqcore import CommentDocstrings, StructSignatures

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("sqcore", "sqcore.aio", "transports")


def public_names() -> set[str]:
    """Every public name, as `module.name`."""
    return {
        f"{module}.{name}" for module in MODULES for name in importlib.import_module(module).__all__
    }


@pytest.fixture(scope="module")
def loaded() -> griffe.ModulesCollection:
    loader = griffe.GriffeLoader(
        search_paths=[str(ROOT)],
        extensions=griffe.load_extensions(CommentDocstrings, StructSignatures),
    )
    for module in MODULES:
        loader.load(module)
    loader.resolve_aliases(implicit=False, external=False)
    return loader.modules_collection


def undocumented(objects: griffe.ModulesCollection, path: str) -> list[str]:
    """`path` and those of its public methods and properties that have no docstring."""
    module, _, name = path.rpartition(".")
    found = objects[module][name]
    target = found.final_target if isinstance(found, griffe.Alias) else found
    missing = [] if target.docstring else [path]
    if isinstance(target, griffe.Class):
        for member_name, member in target.all_members.items():
            if member_name.startswith("_"):
                continue
            member_target = member.final_target if isinstance(member, griffe.Alias) else member
            is_method = isinstance(member_target, griffe.Function)
            is_property = "property" in member_target.labels
            if (is_method or is_property) and not member_target.docstring:
                missing.append(f"{path}.{member_name}")
    return missing


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_and_its_public_methods_have_a_docstring(
    loaded: griffe.ModulesCollection, module: str
) -> None:
    names = sorted(name for name in public_names() if name.rpartition(".")[0] == module)

    missing = [path for name in names for path in undocumented(loaded, name)]

    assert missing == []


def test_a_name_without_a_docstring_is_found(loaded: griffe.ModulesCollection) -> None:
    bare = griffe.Function("bare", parent=loaded["sqcore"])
    loaded["sqcore"].set_member("bare", bare)
    try:
        assert undocumented(loaded, "sqcore.bare") == ["sqcore.bare"]
    finally:
        loaded["sqcore"].del_member("bare")


def test_the_reference_pages_document_every_public_name_once() -> None:
    directives = [
        match[1]
        for page in sorted((ROOT / "docs" / "reference").glob("*.md"))
        for match in re.finditer(r"^::: (\S+)$", page.read_text(encoding="utf-8"), re.M)
    ]

    assert sorted(directives) == sorted(public_names())


def test_the_readme_lists_exactly_the_public_names() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", readme, re.M | re.S)

    def imported(block: str) -> set[str]:
        return {
            f"{node.module}.{alias.name}"
            for node in ast.walk(ast.parse(block))
            if isinstance(node, ast.ImportFrom) and node.module in MODULES
            for alias in node.names
        }

    assert public_names() in [imported(block) for block in blocks]
