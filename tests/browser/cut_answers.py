"""Answers cut mid-way: a proxy in front of the live server that passes every request on and sends its answer
back, except those the test chooses, whose headers (a Set-Cookie among them) it sends, then part of the body,
and then it closes the connection, as a mobile link lost while an answer is arriving; or it sends that part and
then nothing more, the link kept open, as a link that stalls. What a Playwright route cannot do (it answers
whole or not at all)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from tests.browser.partial_delivery import serving

# Hop-by-hop headers, and the body's length, which this proxy sets itself (Host goes on, as the
# browser sent it).
OWN_HEADERS = ("content-length", "transfer-encoding", "connection", "keep-alive")


@dataclass(frozen=True)
class Cut:
    """How one answer is cut: `share` of its body sent (0: none, the headers alone), then the link lost, or
    kept open with nothing more (`stall`, until the proxy stops). With `hold`, the request waits until that
    event is set before it goes on to the server (`arrived` is set when it came)."""

    share: float = 0.5
    stall: bool = False
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def cut_answers(origin: str, cut: Callable[[str, str], Cut | bool | None]) -> Iterator[str]:
    """A proxy's address: every request goes to `origin`; the answer to one for which `cut(method, path)`
    gives a Cut is cut as it says (True: after its headers and half its body)."""
    netloc = urlsplit(origin).netloc
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def relay(self) -> None:
            chosen = cut(self.command, self.path)
            how = Cut() if chosen is True else chosen if isinstance(chosen, Cut) else None
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if how is not None:
                how.arrived.set()
                if how.hold is not None:
                    how.hold.wait(timeout=60)
            headers = {name: value for name, value in self.headers.items() if name.lower() not in OWN_HEADERS}
            connection = http.client.HTTPConnection(netloc, timeout=30)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
            finally:
                connection.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in OWN_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if how is None:
                self.wfile.write(data)
                return
            # Part of the body, then the link lost a moment later, while the rest is awaited. (Chromium's request
            # says its headers are in only with the body's first bytes: a cut with none, or with the bytes and the
            # end at once on a loaded machine, reaches the page as a request that got no answer.)
            self.wfile.write(data[: int(len(data) * how.share)])
            self.wfile.flush()
            if how.stall:
                stopping.wait(timeout=120)
            else:
                time.sleep(0.3)
            self.close_connection = True

        do_GET = do_POST = relay  # noqa: N815 (http.server's names)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            pass

    with serving(Handler) as address:
        try:
            yield address
        finally:
            stopping.set()  # (the stalled answers end first)
