"""Which ``--domain`` files are read as JDL (a leaf: it loads neither lark nor the importer)."""

from __future__ import annotations

JDL_SUFFIXES: tuple[str, ...] = (".jdl", ".jh")
"""Suffixes read as JDL (``backendgen.questions.jdl``, imported only for such a file: its
parser loads lark and builds its grammar, which a YAML or catalogue domain never needs)."""
