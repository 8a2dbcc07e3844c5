"""An SDK's job class compiled onto `sqcore.Job`, from the SDK's own installed source.

What an SDK author does to embed sqcore, done at test time and changing nothing else: the
class's source (`inspect.getsource`) is parsed, `gss.job.Job` is replaced by `sqcore.Job`
and `gss.job.Endian` by `sqcore.Endian` (so `gss.job.Job._status` and `._repetitions` read
as sqcore's), and the class is compiled in a copy of its own module's namespace. sqcore
carries none of the SDKs' code.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import sys
from typing import TypeVar

import sqcore

__all__ = ["on_sqcore"]

#: What an SDK's class reads from upstream's job module, and what it reads instead.
_REPLACED = {"gss.job.Job": ("sqcore", "Job"), "gss.job.Endian": ("sqcore", "Endian")}

_T = TypeVar("_T", bound=sqcore.Job)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


class _Rebase(ast.NodeTransformer):
    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        replaced = _REPLACED.get(_dotted(node) or "")
        if replaced is None:
            self.generic_visit(node)
            return node
        module, name = replaced
        return ast.copy_location(
            ast.Attribute(ast.Name(module, ast.Load()), name, ast.Load()), node
        )


def on_sqcore(cls: type, base: type[_T]) -> type[_T]:
    """`cls` (an SDK's subclass of upstream's `Job`) compiled from its installed source with
    `sqcore.Job` as its base; `base` is `sqcore.Job`, for the type of the result.

    Raises:
        AssertionError: The class still reads something of `general_superstaq.job` after
            the rewrite (a new SDK version: the rewrite needs a look).
    """
    lines, first = inspect.getsourcelines(cls)
    tree = ast.parse("".join(lines))
    ast.increment_lineno(tree, first - 1)  # tracebacks point at the SDK's own lines
    rebased = ast.fix_missing_locations(_Rebase().visit(tree))
    left = {
        dotted
        for node in ast.walk(rebased)
        if isinstance(node, ast.Attribute)
        and (dotted := _dotted(node)) is not None
        and dotted.startswith("gss.job")
    }
    assert not left, f"{cls.__qualname__} still reads {sorted(left)}"
    namespace = {**vars(sys.modules[cls.__module__]), "sqcore": sqcore}
    code = compile(
        rebased,
        inspect.getsourcefile(cls) or "<sdk>",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    exec(code, namespace)
    made = namespace[cls.__name__]
    assert isinstance(made, type) and issubclass(made, base), made
    return made
