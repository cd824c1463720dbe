"""Where reader's templates, static files and bundled data live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    # An installed wheel carries templates/ and static/ inside the package (pyproject's
    # force-include); a source checkout or editable install keeps them at the repository root.
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parents[1] / name


TEMPLATES_DIR = _resource_dir("templates")
STATIC_DIR = _resource_dir("static")
LOCALE_DIR = PACKAGE_DIR / "locale"
DEMO_DIR = PACKAGE_DIR / "demo"
