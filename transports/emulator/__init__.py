"""Shell: an emulator of the Superstaq v0.3.0 job endpoints, in process and over loopback HTTP.

`Emulator` answers `GET /v0.3.0/client/job/{circuit_type}` (jobs by id, or by upstream's
`JobQuery` filters), `PUT /v0.3.0/client/cancel_jobs` and `POST /v0.3.0/client/job` the way
the upstream server does, with jobs whose circuits
advance through realistic statuses on a schedule driven by an injectable clock.
`Emulator.transport()` plugs it into a client as a `Transport` (`async_transport()` into
an `AsyncClient`); `EmulatorServer` serves it
on 127.0.0.1 (`python -m transports.emulator --port N`), gzip-compressing replies for
clients that accept it.

The modules, by what they do:
    _routes.py     pure   the endpoints, and which one a method and URL name
    _bodies.py     pure   request bodies (upstream's NewJob, the cancel body, the emulator's
                          options) and the fetch query (upstream's JobQuery), decoded into
                          a value or a refusal sentence
    _state.py      pure   the job model and its schedule, as functions of time; which jobs
                          a query matches
    _view.py       pure   a job as the fetch reply writes it (upstream's JobData shape)
    _replies.py    pure   the JSON reply bodies, the plain error body among them
    _encoding.py   pure   whether a request accepts gzip, and the reply coded accordingly
    _app.py        shell  the Emulator: routing, auth, the job table, test hooks
    _transport.py  shell  EmulatorTransport, AsyncEmulatorTransport: the Emulator in process
    _server.py     shell  EmulatorServer: the Emulator over HTTP/1.1 on loopback
    __main__.py    shell  python -m transports.emulator

This package never imports sqcore: it writes replies from its own definitions, so a schema
mistake cannot hide on both sides of a test.
"""

from __future__ import annotations

from transports.emulator._app import Emulator, RecordedRequest
from transports.emulator._routes import API_VERSION
from transports.emulator._server import EmulatorServer
from transports.emulator._transport import AsyncEmulatorTransport, EmulatorTransport

__all__ = [
    "API_VERSION",
    "AsyncEmulatorTransport",
    "Emulator",
    "EmulatorServer",
    "EmulatorTransport",
    "RecordedRequest",
]
