"""griffe extensions for sqcore's API reference (mkdocstrings reads the code through griffe,
without importing it).

- `CommentDocstrings`: a `#:` comment block right above a module or class attribute is its
  docstring, as Sphinx reads it. sqcore documents its constants that way
  (`TERMINAL_CIRCUIT_STATES`, ...); without this the reference would show them bare.
- `StructSignatures`: a msgspec `Struct` gets the `__init__` msgspec generates for it (its
  fields in order, with their defaults), so the reference shows `Backoff(initial=1.0, ...)`
  and its `Args:` match a signature.

mkdocs.yml loads them for mkdocstrings (`extensions: [tools/griffe_sqcore.py]`), and
tests/test_api_reference.py loads them the same way, so both read the same docstrings.
"""

from __future__ import annotations

import ast

import griffe

__all__ = ["CommentDocstrings", "StructSignatures"]

_STRUCT_BASES = frozenset({"msgspec.Struct", "Struct"})


class CommentDocstrings(griffe.Extension):
    """Gives an attribute with no docstring the `#:` comment lines right above it."""

    def on_attribute_instance(
        self,
        *,
        node: ast.AST | griffe.ObjectNode,
        attr: griffe.Attribute,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: object,
    ) -> None:
        """Called by griffe for each attribute it finds."""
        if attr.docstring is not None or attr.lineno is None:
            return
        lines = attr.module.lines  # the whole file's
        comment: list[str] = []
        at = attr.lineno - 2  # the line above, counted from 0
        while at >= 0 and lines[at].lstrip().startswith("#:"):
            comment.insert(0, lines[at].lstrip()[2:].strip())
            at -= 1
        if comment:
            attr.docstring = griffe.Docstring(
                "\n".join(comment), lineno=at + 2, endlineno=attr.lineno - 1, parent=attr
            )


class StructSignatures(griffe.Extension):
    """Gives each class deriving directly from `msgspec.Struct` the `__init__` msgspec
    makes: one parameter per annotated field, in order (keyword-only with `kw_only=True`)."""

    def on_class_members(
        self,
        *,
        node: ast.AST | griffe.ObjectNode,
        cls: griffe.Class,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: object,
    ) -> None:
        """Called by griffe once a class's members are known."""
        if not isinstance(node, ast.ClassDef) or "__init__" in cls.members:
            return
        if not any(str(base) in _STRUCT_BASES for base in cls.bases):
            return
        keyword_only = any(
            keyword.arg == "kw_only"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is True
            for keyword in node.keywords
        )
        # By value: mypy, targeting 3.10, reads griffe's StrEnum members as plain str.
        kind = griffe.ParameterKind("keyword-only" if keyword_only else "positional or keyword")
        fields = [
            griffe.Parameter(
                member.name, annotation=member.annotation, kind=kind, default=member.value
            )
            for member in cls.members.values()
            if isinstance(member, griffe.Attribute)
            and member.annotation is not None
            and not str(member.annotation).startswith(("ClassVar", "typing.ClassVar"))
        ]
        init = griffe.Function(
            "__init__",
            lineno=cls.lineno,
            endlineno=cls.lineno,
            parameters=griffe.Parameters(griffe.Parameter("self"), *fields),
            returns="None",
        )
        init.labels.add("msgspec")
        cls.set_member("__init__", init)
