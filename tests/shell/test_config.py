"""`sqcore.shell.config`: where the API key and the host come from, as upstream looks for them: the
argument, else the environment, else the key files (`$XDG_DATA_HOME/super.tech/...`)."""

from __future__ import annotations

import pathlib

import pytest

from sqcore import Client
from sqcore.shell.config import (
    DEFAULT_REMOTE_HOST,
    find_api_key,
    key_file_candidates,
    resolve_remote_host,
)
from tests.fakes import always, json_reply
from tests.fixtures import JOB_65, fixture

OK_65 = json_reply(200, fixture("fetch_completed_single.json"))


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> pathlib.Path:
    """A process with no key in its environment and an empty home; returns the home."""
    monkeypatch.delenv("SUPERSTAQ_API_KEY", raising=False)
    monkeypatch.delenv("SUPERSTAQ_REMOTE_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "home"


def test_the_key_and_host_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERSTAQ_API_KEY", "env-key-1234")
    monkeypatch.setenv("SUPERSTAQ_REMOTE_HOST", "https://env-host.example")
    transport = always(OK_65)
    Client(transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[0].headers["Authorization"] == "env-key-1234"
    assert transport.requests[0].url.startswith("https://env-host.example/v0.3.0/")


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERSTAQ_API_KEY", "env-key-1234")
    monkeypatch.setenv("SUPERSTAQ_REMOTE_HOST", "https://env-host.example")
    transport = always(OK_65)
    Client("arg-key-5678", "https://arg-host.example", transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[0].headers["Authorization"] == "arg-key-5678"
    assert transport.requests[0].url.startswith("https://arg-host.example/v0.3.0/")


@pytest.mark.usefixtures("no_key")
def test_without_a_host_the_client_talks_to_production() -> None:
    transport = always(OK_65)
    Client("k-1234", transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[0].url.startswith(f"{DEFAULT_REMOTE_HOST}/v0.3.0/")
    assert DEFAULT_REMOTE_HOST == "https://superstaq-prod.infleqtion.com"
    assert resolve_remote_host(None, {"SUPERSTAQ_REMOTE_HOST": ""}) == DEFAULT_REMOTE_HOST


def test_the_key_comes_from_the_first_key_file_found(
    no_key: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    key_file = no_key / ".super.tech" / "superstaq-api-key"
    key_file.parent.mkdir(parents=True)
    key_file.write_text("file-key-5678\nsecond line\n")
    transport = always(OK_65)
    Client(transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[0].headers["Authorization"] == "file-key-5678"
    preferred = tmp_path / "data" / "super.tech" / "superstaq_api_key"
    preferred.parent.mkdir(parents=True)
    preferred.write_text("xdg-key-9999")
    Client(transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[1].headers["Authorization"] == "xdg-key-9999"


@pytest.mark.usefixtures("no_key")
def test_no_key_anywhere_says_how_to_set_one() -> None:
    with pytest.raises(OSError, match="SUPERSTAQ_API_KEY") as caught:
        Client(transport=always(OK_65))
    assert "superstaq_api_key" in str(caught.value)


def test_key_files_are_read_in_upstreams_order(tmp_path: pathlib.Path) -> None:
    data = tmp_path / ".local" / "share"
    assert key_file_candidates({}, tmp_path) == (
        data / "super.tech" / "superstaq_api_key",
        data / "super.tech" / "superstaq-api-key",
        data / "coldquanta" / "superstaq_api_key",
        data / "coldquanta" / "superstaq-api-key",
        tmp_path / ".super.tech" / "superstaq_api_key",
        tmp_path / ".super.tech" / "superstaq-api-key",
        tmp_path / ".coldquanta" / "superstaq_api_key",
        tmp_path / ".coldquanta" / "superstaq-api-key",
    )


def test_key_files_follow_xdg_data_home_when_set(tmp_path: pathlib.Path) -> None:
    default = key_file_candidates({}, tmp_path)
    moved = key_file_candidates({"XDG_DATA_HOME": str(tmp_path / "xdg")}, tmp_path)
    assert moved[0].parent == tmp_path / "xdg" / "super.tech"
    assert key_file_candidates({"XDG_DATA_HOME": ""}, tmp_path) == default


def test_an_empty_key_file_or_variable_is_skipped_for_the_next(tmp_path: pathlib.Path) -> None:
    first, *rest = key_file_candidates({}, tmp_path)
    first.parent.mkdir(parents=True)
    first.write_text("\n", encoding="utf-8")
    later = rest[-1]
    later.parent.mkdir(parents=True, exist_ok=True)
    later.write_text("  sk-from-file  \nsecond line\n", encoding="utf-8")
    assert find_api_key({"SUPERSTAQ_API_KEY": "   "}, tmp_path) == "sk-from-file"
    later.write_text("", encoding="utf-8")
    with pytest.raises(OSError, match="SUPERSTAQ_API_KEY"):
        find_api_key({"SUPERSTAQ_API_KEY": "   "}, tmp_path)


def test_a_directory_where_a_key_file_would_be_is_skipped(tmp_path: pathlib.Path) -> None:
    first, second, *_ = key_file_candidates({}, tmp_path)
    first.mkdir(parents=True)
    second.write_text("sk-second\n", encoding="utf-8")
    assert find_api_key({}, tmp_path) == "sk-second"
