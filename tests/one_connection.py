"""HTTP/1.1 over exactly one TCP connection, parsed by h11: a reset or a close is an error.

httpx and browsers silently open a new connection when the server drops one, which hides
the bug we test for ("the next request on the same keep-alive connection is reset").
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

import h11


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class OneConnection:
    """A keep-alive client that never reconnects."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.conn = h11.Connection(h11.CLIENT)
        self.requests = 0

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        head = [("Host", "127.0.0.1"), ("Content-Length", str(len(body)))]
        head += list((headers or {}).items())
        self.sock.sendall(self.conn.send(h11.Request(method=method, target=path, headers=head)))
        if body:
            self.sock.sendall(self.conn.send(h11.Data(data=body)))
        self.sock.sendall(self.conn.send(h11.EndOfMessage()))
        status, found, chunks = 0, {}, []
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))  # b"" = the server closed
            elif isinstance(event, h11.Response):
                status = event.status_code
                found = {k.decode().lower(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError(f"the server closed the connection after {path}")
        # Raises when either side must close (e.g. the server sent "Connection: close").
        self.conn.start_next_cycle()
        self.requests += 1
        return Reply(status, found, b"".join(chunks))

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> OneConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
