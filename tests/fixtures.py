"""The shared reply fixtures (../shared/fixtures), exactly as upstream's models serialise them."""

from __future__ import annotations

import pathlib

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def fixture(name: str) -> bytes:
    """The bytes of fixture `name` (e.g. "fetch_two_jobs.json")."""
    return (FIXTURES / name).read_bytes()


JOB_65 = "00000000-0000-0000-0000-000000000065"
JOB_66 = "00000000-0000-0000-0000-000000000066"
JOB_67 = "00000000-0000-0000-0000-000000000067"
JOB_68 = "00000000-0000-0000-0000-000000000068"
