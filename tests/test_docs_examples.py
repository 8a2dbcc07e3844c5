"""Every ```python block of README.md and docs/**/*.md runs, so an example that goes stale
fails the suite.

The blocks of one page run in order, in one namespace and on one event loop, as a reader
would type them into one notebook: a block may use what an earlier block of its page
defined, and a top-level `await` works. They run against the emulator's loopback server,
reached the way a user's program reaches the API: `SUPERSTAQ_API_KEY` and
`SUPERSTAQ_REMOTE_HOST` are set, so `Client()` and `AsyncClient()` need no arguments. The
emulator's clock runs 100,000 times fast, so its jobs (a second or so each) are finished by
the first status check, and no example waits in real time.

A page says what a block needs in an HTML comment on the line before it (invisible on the
site and on GitHub):

    <!-- example: prelude jobs -->        run the prelude "jobs" (`PRELUDES`) first
    <!-- example: skip REASON -->         do not run it (each is listed in `SKIPPED`)

A block whose one line includes a file (`--8<-- "examples/requests_transport.py"`, as the
site's snippets extension does) runs that file.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from transports.emulator import Emulator, EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
KEY = "sk-docs-examples-5e2"
#: How much faster than real time the emulator's jobs move.
SPEED = 100_000.0
#: Three serialized circuits, as an SDK hands them over (cirq.to_json).
CIRCUITS = "[" + ", ".join(['{"cirq_type": "Circuit", "moments": []}'] * 3) + "]"

_FENCE = re.compile(r"^```python\n(?P<code>.*?)^```$", re.M | re.S)
_DIRECTIVE = re.compile(r"<!-- example: (?P<verb>prelude|skip) ?(?P<argument>.*?) -->\n*$")
_INCLUDE = re.compile(r'^--8<-- "(?P<path>[^"]+)"\n$')

#: Every block that does not run, by page and line, with the reason its page gives.
SKIPPED: dict[tuple[str, int], str] = {
    ("docs/guides/errors.md", 117): "it would configure logging for the whole test run",
}


@dataclass(frozen=True)
class Block:
    """One ```python block: where it is, its code (or the file it includes, named by
    `filename`), and what its page says about it."""

    page: str
    line: int
    code: str
    filename: str
    prelude: str | None
    skip: str | None


def blocks_of(page: Path) -> list[Block]:
    """The ```python blocks of `page`, in order, with their directives and included files."""
    text = page.read_text(encoding="utf-8")
    name = page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else page.name
    found = []
    for match in _FENCE.finditer(text):
        directive = _DIRECTIVE.search(text, 0, match.start())
        ours = directive is not None and directive.end() == match.start()
        verb = directive["verb"] if ours and directive is not None else None
        argument = directive["argument"].strip() if ours and directive is not None else ""
        line = text.count("\n", 0, match.start()) + 2
        # Blank lines first, so a traceback names the page's own line numbers.
        code = "\n" * (line - 1) + match["code"]
        filename = name
        include = _INCLUDE.match(match["code"])
        if include is not None:
            filename = include["path"]
            code = (ROOT / filename).read_text(encoding="utf-8")
        found.append(
            Block(
                page=name,
                line=line,
                code=code,
                filename=filename,
                prelude=argument if verb == "prelude" else None,
                skip=argument if verb == "skip" else None,
            )
        )
    return found


# --- Preludes: what a page's blocks take as given --------------------------------------


def _circuits(emulator: Emulator) -> dict[str, object]:
    return {"circuits": CIRCUITS}


def _jobs(emulator: Emulator) -> dict[str, object]:
    ids = [emulator.create_job(num_circuits=3) for _ in range(3)]
    return {"circuits": CIRCUITS, "ids": ids, "job_id": ids[0]}


def _transport_types(emulator: Emulator) -> dict[str, object]:
    from typing import Protocol

    from returns.result import Result

    from transports import Request, Response, TransportError

    return {
        "Protocol": Protocol,
        "Result": Result,
        "Request": Request,
        "Response": Response,
        "TransportError": TransportError,
    }


#: The preludes a page may name: each returns the names its blocks take as given.
PRELUDES: dict[str, Callable[[Emulator], dict[str, object]]] = {
    "circuits": _circuits,
    "jobs": _jobs,
    "transport types": _transport_types,
}


# --- Running a page ------------------------------------------------------------------------


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Emulator]:
    """An emulator on a fast clock behind its loopback server, named by the environment as a
    user names the API; the working directory is a fresh one (examples may write files)."""
    fast = Emulator(api_key=KEY, clock=lambda: time.monotonic() * SPEED)
    with EmulatorServer(fast) as server:
        monkeypatch.setenv("SUPERSTAQ_API_KEY", KEY)
        monkeypatch.setenv("SUPERSTAQ_REMOTE_HOST", server.url)
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.chdir(tmp_path)
        yield fast


def run_page(blocks: list[Block], emulator: Emulator) -> None:
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    loop = asyncio.new_event_loop()
    try:
        for block in blocks:
            if block.skip is not None:
                continue
            if block.prelude is not None:
                namespace.update(PRELUDES[block.prelude](emulator))
            code = compile(block.code, block.filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            with contextlib.redirect_stdout(io.StringIO()):
                if code.co_flags & inspect.CO_COROUTINE:
                    loop.run_until_complete(eval(code, namespace))
                else:
                    exec(code, namespace)
    finally:
        loop.close()


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_example_on_the_page_runs(page: Path, emulator: Emulator) -> None:
    run_page(blocks_of(page), emulator)


def test_the_blocks_that_do_not_run_are_these_and_say_why() -> None:
    skipped = {
        (block.page, block.line): block.skip
        for page in PAGES
        for block in blocks_of(page)
        if block.skip is not None
    }

    assert all(skipped.values()), "a skipped block must say why"
    assert skipped == SKIPPED


def test_every_prelude_named_exists() -> None:
    named = {block.prelude for page in PAGES for block in blocks_of(page) if block.prelude}

    assert named <= set(PRELUDES)


def test_the_pages_have_examples_to_run() -> None:
    assert sum(len(blocks_of(page)) for page in PAGES) >= 20


def test_a_page_marks_what_a_block_needs_on_the_line_before_it(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- example: prelude jobs -->\n```python\nprint(ids)\n```\n\n"
        "<!-- example: skip needs a real key -->\n```python\nClient()\n```\n\n"
        "<!-- example: prelude jobs -->\n\nSome prose.\n```python\nx = 1\n```\n"
        '```python\n--8<-- "examples/__init__.py"\n```\n'
    )

    found = blocks_of(page)

    assert [(b.line, b.prelude, b.skip) for b in found] == [
        (3, "jobs", None),
        (8, None, "needs a real key"),
        (15, None, None),  # a directive counts only on the line right before its block
        (18, None, None),
    ]
    assert found[0].code == "\n" * 2 + "print(ids)\n"
    assert (found[3].filename, found[3].code) == (
        "examples/__init__.py",
        (ROOT / "examples" / "__init__.py").read_text(encoding="utf-8"),
    )
