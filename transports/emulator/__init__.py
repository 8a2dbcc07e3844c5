"""Shell: an emulator of the Superstaq v0.3.0 job endpoints, in process and over loopback HTTP.

`Emulator` answers `GET /v0.3.0/client/job/{circuit_type}`, `PUT /v0.3.0/client/cancel_jobs`
and `POST /v0.3.0/client/job` the way the upstream server does, with jobs whose circuits
advance through realistic statuses on a schedule driven by an injectable clock.
`Emulator.transport()` plugs it into a client as a `Transport`; `EmulatorServer` serves it
on 127.0.0.1 (`python -m transports.emulator --port N`).

This package never imports sqcore: it writes replies from its own definitions, so a schema
mistake cannot hide on both sides of a test.
"""

from __future__ import annotations

from transports.emulator._app import API_VERSION, Emulator, EmulatorTransport, RecordedRequest
from transports.emulator._server import EmulatorServer

__all__ = ["API_VERSION", "Emulator", "EmulatorServer", "EmulatorTransport", "RecordedRequest"]
