"""The package version (a leaf, so any layer can read it without importing the API)."""

from __future__ import annotations

__version__ = "0.1.0"
