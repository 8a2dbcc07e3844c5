"""Suite-wide settings: hypothesis without per-example deadlines (the machines are shared
and noisy, so a slow example is not a failure; properties still run their full count)."""

from __future__ import annotations

from hypothesis import settings

#: pytest's own fixture for running pytest on a test project (tests/test_testing_plugin.py).
pytest_plugins = ("pytester",)

settings.register_profile("sqcore", deadline=None)
settings.load_profile("sqcore")
