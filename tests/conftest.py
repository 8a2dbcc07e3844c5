"""Suite-wide settings: hypothesis without per-example deadlines (the machines are shared
and noisy, so a slow example is not a failure; properties still run their full count)."""

from __future__ import annotations

import signal

from hypothesis import settings

#: pytest's own fixture for running pytest on a test project (tests/test_testing_plugin.py).
pytest_plugins = ("pytester",)

settings.register_profile("sqcore", deadline=None)
settings.load_profile("sqcore")

# A run started in the background by a shell without job control (`pytest &` in a script)
# inherits SIGINT ignored, and so would every `python -m sqcore` the tests start: the tests
# of Ctrl-C (exit 130) would wait out their timeouts. Python's own handler instead (a handled
# signal is reset to the default in a child, which then installs its KeyboardInterrupt).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
