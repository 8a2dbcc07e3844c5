"""Transport adapters for HTTP stacks sqcore does not depend on, as complete, tested modules.

- `examples.requests_transport.RequestsTransport`: a blocking `Transport` over
  `requests.Session`.
- `examples.httpx_transport.HttpxTransport`: an `AsyncTransport` over `httpx.AsyncClient`.

They are not part of the installed package: copy the one your SDK needs. Each keeps the whole
transport contract (`transports.Transport`), and `tests/examples/` holds them to it against
the loopback emulator and a hostile server, beside sqcore's own `Urllib3Transport`.
"""
