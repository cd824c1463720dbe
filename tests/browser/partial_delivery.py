"""A page delivered in two parts: a proxy in front of the live server that sends a page's first bytes, waits,
then sends the rest, as a slow connection does (and as a busy device's parser, which stops for a paint
wherever its time runs out, sees it). Everything else passes through whole."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The request headers passed on (the page depends on no other), and the answer's headers left to this proxy.
PASSED_ON = ("cookie", "accept", "accept-language")
OWN_HEADERS = ("content-length", "content-encoding", "transfer-encoding", "connection")


@contextmanager
def split_delivery(origin: str, path: str, before: bytes, pause: float = 1.0) -> Iterator[str]:
    """A proxy's address: GET `path` gets the page up to `before` (which it must contain), then, `pause`
    seconds later, the rest; every other request goes through to `origin` at once."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            headers = {name: value for name, value in self.headers.items() if name.lower() in PASSED_ON}
            try:
                request = urllib.request.Request(origin + self.path, headers=headers)
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, answer_headers, body = answer.status, answer.headers.items(), answer.read()
            except urllib.error.HTTPError as error:
                status, answer_headers, body = error.code, error.headers.items(), error.read()
            self.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in OWN_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path == path:
                cut = body.index(before)
                self.wfile.write(body[:cut])
                self.wfile.flush()
                time.sleep(pause)
                body = body[cut:]
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            pass

    with serving(Handler) as address:
        yield address


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A test proxy's server on a free local port, in a thread, for the `with` block: its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
