"""The published contract, committed as ``docs/openapi.json`` so API changes show up in review.

``make openapi`` (``python -m core.openapi_document``) rewrites the file from the app; backendgen
runs the same module after generating the project. The document is django-ninja's own
(``api.get_openapi_schema()``), written with sorted keys and a final newline, so the same app
always gives the same bytes.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
"""Where the document is committed."""


def render(document: dict[str, Any]) -> str:
    """The text committed for ``document``: indented JSON, sorted keys, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def current() -> str:
    """The document of the app as it is now (``core.api.api``), as committed text."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django

    django.setup()
    from core.api import api

    return render(dict(api.get_openapi_schema()))


def write(target: Path = DOCUMENT) -> Path:
    """Write the app's current document to ``target`` and return the path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(current(), encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover - `make openapi`
    written = write(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENT)
    sys.stdout.write(f"wrote {written}\n")
