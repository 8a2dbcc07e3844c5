"""Shell: where the API key and host come from (arguments, environment, key files).

Upstream `general_superstaq.superstaq_client.find_api_key` reads, in order, the
`SUPERSTAQ_API_KEY` variable, then the first line of `superstaq_api_key` or
`superstaq-api-key` in `$XDG_DATA_HOME/super.tech`, `$XDG_DATA_HOME/coldquanta`,
`~/.super.tech` and `~/.coldquanta` (`$XDG_DATA_HOME` defaulting to `~/.local/share`).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping

__all__ = ["DEFAULT_REMOTE_HOST", "find_api_key", "key_file_candidates", "resolve_remote_host"]

#: The production v0.3.0 host (upstream `API_URL_V3`).
DEFAULT_REMOTE_HOST = "https://superstaq-prod.infleqtion.com"

_KEY_FILE_NAMES = ("superstaq_api_key", "superstaq-api-key")

_NO_KEY = (
    "Superstaq API key not specified and not found.\n"
    "Pass api_key=..., or set the SUPERSTAQ_API_KEY environment variable, or write the key "
    "to $XDG_DATA_HOME/super.tech/superstaq_api_key (by default "
    "~/.local/share/super.tech/superstaq_api_key)."
)


def key_file_candidates(environ: Mapping[str, str], home: pathlib.Path) -> tuple[pathlib.Path, ...]:
    """The key files upstream reads, in the order it reads them."""
    data_dir = home / ".local" / "share"
    if environ.get("XDG_DATA_HOME"):
        data_dir = type(home)(environ["XDG_DATA_HOME"])
    directories = (
        data_dir / "super.tech",
        data_dir / "coldquanta",
        home / ".super.tech",
        home / ".coldquanta",
    )
    return tuple(directory / name for directory in directories for name in _KEY_FILE_NAMES)


def find_api_key(environ: Mapping[str, str] | None = None, home: pathlib.Path | None = None) -> str:
    """Finds the API key: `SUPERSTAQ_API_KEY`, else the first key file found.

    Raises:
        OSError: No key was found; the message says how to provide one.
    """
    env = os.environ if environ is None else environ
    key = env.get("SUPERSTAQ_API_KEY", "").strip()
    if key:
        return key
    for path in key_file_candidates(env, pathlib.Path.home() if home is None else home):
        if path.is_file():
            with path.open(encoding="utf-8") as file:
                line = file.readline().strip()
            if line:
                return line
    raise OSError(_NO_KEY)


def resolve_remote_host(remote_host: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The host: the argument, else `SUPERSTAQ_REMOTE_HOST`, else the production host."""
    if remote_host:
        return remote_host
    env = os.environ if environ is None else environ
    return env.get("SUPERSTAQ_REMOTE_HOST") or DEFAULT_REMOTE_HOST
