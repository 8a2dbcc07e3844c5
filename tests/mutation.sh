#!/usr/bin/env bash
# Mutation testing of the pure core, in one command:
#
#     tests/mutation.sh
#
# mutmut (configured in pyproject.toml, [tool.mutmut]) mutates the pure modules:
# sqcore/core/ (status, waiting, retry, wire, replies, endpoints, models and errors), the
# engine, sqcore/engine/ (effects, session, calls, jobs, watch, submit), and
# transports/_urls.py, _proxy.py and _no_proxy.py; it runs tests/core and tests/engine
# against every mutant.
# It prints the score per module and each surviving mutant's diff, and exits non-zero when
# the score is below MUTATION_MIN percent (default 90). tests/README.md lists the survivors
# judged equivalent. It is not part of .ci/run: a run takes a few minutes on 2 cores.
#
# The run happens in a scratch copy of the working tree (MUTATION_DIR, default
# ${TMPDIR:-/tmp}/sqcore-mutation), so the checkout stays clean and other edits made
# meanwhile cannot leak into a run; `cd "$MUTATION_DIR" && mutmut show NAME` inspects a
# mutant afterwards. The reply fixtures travel with tests/ (tests/replies): nothing outside the
# repository is read.
#
# Environment: PYTHON (default: python; its bin directory must hold mutmut), MUTATION_JOBS
# (parallel workers, default 2), MUTATION_TIMEOUT (seconds for the whole run, default 1800).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python_bin=$(command -v "${PYTHON:-python}")
mutmut="$(dirname "$python_bin")/mutmut"
work=${MUTATION_DIR:-${TMPDIR:-/tmp}/sqcore-mutation}
minimum=${MUTATION_MIN:-90}

if [[ ! -x "$mutmut" ]]; then
    echo "mutmut not found next to $python_bin; install the dev extra: pip install -e '.[dev]'" >&2
    exit 2
fi

rm -rf "$work"
mkdir -p "$work"
cp -R "$root/sqcore" "$root/transports" "$root/tests" "$root/pyproject.toml" "$work/"
find "$work" -name __pycache__ -type d -prune -exec rm -rf {} +

cd "$work"
echo "== mutmut run in $work"
status=0
timeout "${MUTATION_TIMEOUT:-1800}" "$mutmut" run --max-children "${MUTATION_JOBS:-2}" \
    > mutmut-run.log 2>&1 || status=$?
tail -n 3 mutmut-run.log | tr '\r' '\n' | tail -n 3
if [[ $status -ne 0 ]]; then
    echo "mutmut run failed (exit $status); see $work/mutmut-run.log" >&2
    exit "$status"
fi

"$mutmut" results --all true > mutmut-results.txt
summary=0
"$python_bin" - "$minimum" mutmut-results.txt <<'PY' || summary=$?
"""Summarises `mutmut results --all true`: killed/total per module, then the survivors."""

import collections
import sys

minimum = float(sys.argv[1])
caught = {"killed", "timeout", "caught by type check"}
per_module: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
survivors: list[str] = []
for line in open(sys.argv[2], encoding="utf-8"):
    name, sep, status = line.strip().rpartition(": ")
    if not sep:
        continue
    module = name.split(".x_")[0].split(".xǁ")[0]
    per_module[module]["total"] += 1
    if status in caught:
        per_module[module]["killed"] += 1
    else:
        survivors.append(f"{name}: {status}")
killed = sum(c["killed"] for c in per_module.values())
total = sum(c["total"] for c in per_module.values())
print()
print(f"{'module':<20} {'killed/total':>12} {'score':>7}")
for module, counts in sorted(per_module.items()):
    score = 100 * counts["killed"] / counts["total"]
    print(f"{module:<20} {counts['killed']:>5}/{counts['total']:<6} {score:>6.1f}%")
score = 100 * killed / total if total else 0.0
print(f"{'all':<20} {killed:>5}/{total:<6} {score:>6.1f}%")
print()
print(f"{len(survivors)} not killed" + (":" if survivors else "."))
for survivor in survivors:
    print("   ", survivor)
if score < minimum:
    print(f"mutation score {score:.1f}% is below {minimum:g}%", file=sys.stderr)
    sys.exit(1)
PY

while read -r name; do
    echo
    "$mutmut" show "$name"
done < <(grep -v ': killed$\|: timeout$\|: caught by type check$' mutmut-results.txt \
    | sed -n 's/^ *\(.*\): .*$/\1/p')
exit "$summary"
