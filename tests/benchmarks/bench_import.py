"""Import: `import sqcore` vs `import general_superstaq`, each in a fresh interpreter.

The time is the whole subprocess, interpreter start included, as a user's script pays it.
All snippets run in one rotation (A B A B ...), after a warm-up that writes both sides'
bytecode to one private cache (see `_ENV`: this machine sets PYTHONDONTWRITEBYTECODE, under
which a source checkout compiles sqcore on every import, ~14 ms, while pip-installed
upstream reads its .pyc files). A bare interpreter (`-c pass`) is timed in the rotation
too, and one `-X importtime` run per snippet gives the import time it causes and its
slowest imports.

Cases: the import alone, as the issue states it (target upstream/sqcore >= 10), and the
import plus loading what a waiting script uses (`Client`, `Job`, `wait_all`; upstream's
`general_superstaq.job` and its client module), target >= 4: sqcore loads its public names
on first use, so the first case alone does not show what a program pays.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from tests.benchmarks import _harness
from tests.benchmarks._harness import Figure, Settings, Target, format_seconds

__all__ = ["heaviest_imports", "run"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: Both sides read compiled bytecode, as installed packages do: PYTHONDONTWRITEBYTECODE is
#: dropped and every module's bytecode is cached under one private prefix (so the checkout
#: gets no __pycache__ and upstream's site-packages cache is not used for one side only).
_PYCACHE = tempfile.mkdtemp(prefix="sqcore-bench-pycache-")
atexit.register(shutil.rmtree, _PYCACHE, ignore_errors=True)
_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPATH": ROOT,
    "PYTHONPYCACHEPREFIX": _PYCACHE,
}
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _interpreter(code: str, *flags: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], cwd=ROOT, env=_ENV, capture_output=True, check=True
    )


def _timed(code: str) -> float:
    start = time.perf_counter()
    _interpreter(code)
    return time.perf_counter() - start


def heaviest_imports(code: str, package: str, count: int = 8) -> tuple[int, list[tuple[str, int]]]:
    """The import time (us) `code` causes, and the slowest modules outside `package` in it.

    Reads one `-X importtime` run. Everything imported after `site` is `code`'s doing; the
    total is the cumulative time of those top-level imports. A package that loads its
    modules on first use (PEP 562) makes their imports top-level too, so the list holds the
    `count` slowest modules outside `package` that are imported at top level or directly by
    one of its modules, with their cumulative times.
    """
    lines = _interpreter(code, "-X", "importtime").stderr.decode().splitlines()
    parsed = []
    for line in lines:
        match = _LINE.match(line)
        if match:
            parsed.append((len(match.group(3)), match.group(4), int(match.group(2))))
    site = max(i for i, (depth, name, _) in enumerate(parsed) if depth == 1 and name == "site")
    parsed = parsed[site + 1 :]

    def own(name: str) -> bool:
        return name == package or name.startswith(package + ".")

    total = sum(cumulative for depth, _, cumulative in parsed if depth == 1)
    # Children print before their parent, so in reverse the tree reads parent first.
    stack: list[tuple[int, str]] = []
    pulled: list[tuple[str, int]] = []
    for depth, name, cumulative in reversed(parsed):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not own(name) and (not stack or own(stack[-1][1])):
            pulled.append((name, cumulative))
        stack.append((depth, name))
    pulled.sort(key=lambda item: -item[1])
    return total, pulled[:count]


#: (case, sqcore code, upstream code, target): the import itself, as the issue states it
#: (target >= 10), and the import plus loading what a waiting script uses (target >= 4;
#: sqcore loads its public names on first use, so the first case alone does not show what
#: a program pays).
CASES: tuple[tuple[str, str, str, Target], ...] = (
    ("import", "import sqcore", "import general_superstaq", Target(">=", 10.0)),
    (
        "import + Client, Job, wait_all",
        "from sqcore import Client, Job, wait_all",
        "import general_superstaq.job, general_superstaq.superstaq_client",
        Target(">=", 4.0),
    ),
)


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Times the imports, all cases and a bare interpreter in one rotation."""
    codes = [code for _, ours, theirs, _ in CASES for code in (ours, theirs)]
    for code in [*codes, "pass"]:
        _interpreter(code)  # writes the bytecode
    log(f"import: {settings.import_pairs} rounds of fresh interpreters")
    times: dict[str, list[float]] = {code: [] for code in [*codes, "pass"]}
    for _ in range(settings.import_pairs):
        for code in [*codes, "pass"]:
            times[code].append(_timed(code))
    figures = []
    for case, ours, theirs, target in CASES:
        our_total, heaviest = heaviest_imports(ours, "sqcore")
        their_total, _ = heaviest_imports(theirs, "general_superstaq")
        figures.append(
            _harness.figure_from_pairs(
                bench="import",
                case=case,
                measure="time upstream/sqcore",
                numerators=times[theirs],
                denominators=times[ours],
                target=target,
                note=(
                    f"sqcore {format_seconds(statistics.median(times[ours]))}, upstream "
                    f"{format_seconds(statistics.median(times[theirs]))}, bare python "
                    f"{format_seconds(statistics.median(times['pass']))}; slowest "
                    f"imports it pulls in: {', '.join(name for name, _ in heaviest[:3])}"
                ),
                context={
                    "sqcore_code": ours,
                    "upstream_code": theirs,
                    "sqcore_seconds": statistics.median(times[ours]),
                    "upstream_seconds": statistics.median(times[theirs]),
                    "bare_interpreter_seconds": statistics.median(times["pass"]),
                    "sqcore_importtime_us": our_total,
                    "upstream_importtime_us": their_total,
                    "sqcore_heaviest_imports_us": ", ".join(f"{n}={t}" for n, t in heaviest),
                },
            )
        )
    return figures
