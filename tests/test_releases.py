"""One version number, moving with the changelog: `pyproject.toml` holds it, the package's
metadata carries it, `sqcore.__version__` and `sqcore --version` read it from there, and
CHANGELOG.md's sections follow it."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

import sqcore

ROOT = Path(__file__).resolve().parent.parent
#: A version heading of the changelog: "## [Unreleased]" or "## [0.3.0] - 2026-11-28".
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$", re.M)


def declared_version() -> str:
    """The version pyproject.toml declares (read without tomllib, which 3.10 lacks)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"$', text, re.M)
    assert match is not None, "pyproject.toml declares no version"
    return match[1]


def changelog_sections() -> list[tuple[str, str | None]]:
    """The changelog's version headings, newest first: (version, date or None)."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return [(match["version"], match["date"]) for match in HEADING.finditer(text)]


def test_the_version_is_the_installed_packages_metadata() -> None:
    assert sqcore.__version__ == importlib.metadata.version("sqcore") == declared_version()


def test_the_command_line_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sqcore", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (done.returncode, done.stdout) == (0, f"sqcore {declared_version()}\n")


def test_importing_sqcore_does_not_read_the_metadata() -> None:
    code = "import sys, sqcore; print('importlib.metadata' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.strip() == "False"


def test_released_sections_are_dated_and_newest_first() -> None:
    sections = changelog_sections()
    released = [(Version(version), date) for version, date in sections if version != "Unreleased"]

    assert released, "the changelog names no released version"
    assert all(date is not None for _, date in released)
    assert [version for version, _ in released] == sorted(
        (version for version, _ in released), reverse=True
    )
    assert [date for _, date in released] == sorted(
        (date or "" for _, date in released), reverse=True
    )
    assert all(version == "Unreleased" for version, _ in sections[: -len(released)])


def test_the_declared_version_moves_with_the_changelog() -> None:
    """With an Unreleased section, the version is a development release of the next one;
    without, it is the newest section's."""
    sections = changelog_sections()
    newest = Version(next(version for version, _ in sections if version != "Unreleased"))
    declared = Version(declared_version())

    if sections[0][0] == "Unreleased":
        assert declared.is_devrelease
        assert declared > newest
    else:
        assert declared == newest
