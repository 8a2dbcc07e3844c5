"""Shell: `Urllib3Transport`, the default transport (urllib3 speaks the HTTP).

The package holds the transport (`_transport`), the one deadline per request (`_deadline`,
and the thread that keeps it, `_watchdog`), TLS (`_tls`: the context and the CA bundle
checks), the table from exceptions to fault kinds (`_faults`) and what is refused before any
connection (`_request_checks`). It uses urllib3's public names alone. Importing it imports
urllib3; `import transports` does not.
"""

from __future__ import annotations

from transports.urllib3._transport import Urllib3Transport

__all__ = ["Urllib3Transport"]
