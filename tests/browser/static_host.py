"""A host site for the browser tests: Python's static file server, which serves pages named `*.isolated.html`
cross-origin isolated (COOP same-origin and COEP require-corp, as a site that needs SharedArrayBuffer does),
so that embedding reader can be tried on such a page too.

Run as `python static_host.py PORT DIRECTORY` (tests/browser/conftest.py's static_server)."""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ISOLATED = ".isolated.html"


class Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        if self.path.split("?", 1)[0].endswith(ISOLATED):
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def main() -> None:
    port, directory = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(Handler, directory=directory)
    ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main()
