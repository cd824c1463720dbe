"""reader: an accessibility-focused reader server."""

from __future__ import annotations

__version__ = "0.1.0"
