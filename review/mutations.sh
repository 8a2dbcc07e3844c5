#!/usr/bin/env bash
# Review reproduction: two tests that cannot catch the defect they are named for.
# Each mutation breaks the guarded behaviour in a scratch copy of HEAD; the test still passes.
#
#   1. tests/wire/test_urllib3_transport.py::test_the_transport_closes_its_idle_connections_when_collected
#      Mutation: Urllib3Transport's finalizer does nothing (transports/_urllib3.py). The test
#      still passes: urllib3's own pools close their sockets when collected, so it tests urllib3.
#   2. tests/wire/test_proxy.py::test_the_proxy_password_is_in_no_message_repr_or_log_line
#      Mutation: repr(Urllib3Transport) shows the proxy URL as given, credentials included.
#      The test still passes: it looks only for the raw password, and the URL it builds
#      percent-encodes it ("p%40ss%3Aw%2Frd%231%3F"), which the repr then shows.
#
# Run from the worktree: review/mutations.sh   (prints "STILL PASSES" for each: the defect)
set -u
PY=/work/main/.venv/bin/python
ROOT=$(git rev-parse --show-toplevel)
SCRATCH=$(mktemp -d /tmp/sqcore-review-mutations.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

run_mutant() {
  local name=$1 test=$2 edit=$3
  rm -rf "$SCRATCH/tree" && mkdir -p "$SCRATCH/tree"
  git -C "$ROOT" archive HEAD | tar -x -C "$SCRATCH/tree"
  (cd "$SCRATCH/tree" && $PY -c "$edit") || { echo "$name: mutation did not apply"; return; }
  if (cd "$SCRATCH/tree" && $PY -m pytest -q -p no:cacheprovider "$test" >/dev/null 2>&1); then
    echo "$name: STILL PASSES with the mutation (the test cannot catch it)"
  else
    echo "$name: fails with the mutation (the test works)"
  fi
}

run_mutant "finalizer removed" \
  "tests/wire/test_urllib3_transport.py::test_the_transport_closes_its_idle_connections_when_collected" \
  "
p='transports/_urllib3.py'; s=open(p).read()
old='self._finalizer = weakref.finalize(self, _clear_all, self._direct, self._proxied)'
assert old in s; open(p,'w').write(s.replace(old, 'self._finalizer = weakref.finalize(self, lambda: None)'))
"

run_mutant "repr shows the proxy URL with its credentials" \
  "tests/wire/test_proxy.py::test_the_proxy_password_is_in_no_message_repr_or_log_line" \
  "
p='transports/_urllib3.py'; s=open(p).read()
a='        self._max_body_bytes = max_body_bytes\n'
b='            parts.append(f\"proxy_url={self._proxy.url()!r}\")'
assert a in s and b in s
s=s.replace(a, a+'        self._given_proxy = proxy_url\n').replace(b, '            parts.append(f\"proxy_url={self._given_proxy!r}\")')
open(p,'w').write(s)
"
