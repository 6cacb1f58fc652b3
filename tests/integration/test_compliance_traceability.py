"""The traceability matrix of every regime combination points at real code and passing tests.

For no regime, each regime alone and all four together, a healthcare backend is generated (and
a fintech one for SOX, whose settled transfers and ledger carry the SOX controls), and
its ``security/compliance/controls.yaml`` is checked against the spec and the tree: every
declared control is listed once, its code is a top-level name of an existing file, its proofs
are test functions that exist, ``docs/COMPLIANCE.md`` names it, and running exactly the listed
proofs passes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import run_backendgen, run_project_tests

COMBINATIONS = ["", "gdpr", "hipaa", "sox", "pci_dss", "gdpr,hipaa,sox,pci_dss"]
"""The ``compliance`` answers tried: none, each alone, all together."""

CASES = [("healthcare", c) for c in COMBINATIONS] + [("fintech", "sox,pci_dss")]
"""(domain, compliance): every combination on healthcare, and SOX and PCI DSS on fintech, which
has final records and a card field to tokenise."""

SOX_FEATURES = ("sox_immutability", "sox_maker_checker", "sox_distinct_references")
"""The SOX controls a project with settled records traces to security/policies/sox.py."""

pytestmark = pytest.mark.slow


def _top_level_names(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _declared_controls(project: Path) -> list[dict[str, Any]]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    controls: list[dict[str, Any]] = answers["slot_security_compliance"].get("controls", [])
    return controls


@pytest.mark.parametrize(
    ("domain", "compliance"), CASES, ids=[f"{d}-{c or 'none'}" for d, c in CASES]
)
def test_every_control_points_at_code_and_proofs_that_pass(
    domain: str, compliance: str, tmp_path: Path
) -> None:
    project = tmp_path / "traced"
    done = run_backendgen(
        "new",
        str(project),
        "--defaults",
        "-d",
        f"domain={domain}",
        "-d",
        f"compliance={compliance}",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    matrix = yaml.safe_load((project / "security/compliance/controls.yaml").read_text())
    declared = _declared_controls(project)
    regimes = set(filter(None, compliance.split(",")))
    assert {c["regime"] for c in declared} == regimes
    assert [(c["regime"], c["control_id"]) for c in matrix["controls"]] == [
        (c["regime"], c["control_id"]) for c in declared
    ]
    if domain == "fintech":  # settled transfers and the ledger carry the SOX controls
        assert set(SOX_FEATURES) <= {c["feature"] for c in matrix["controls"]}, matrix
    doc = (project / "docs/COMPLIANCE.md").read_text()
    proofs: list[str] = []
    for control in matrix["controls"]:
        code = control["implemented_by"]
        assert code is not None, f"{control['control_id']} has no implementation"
        assert code["symbol"] in _top_level_names(project / code["file"]), code
        assert control["proven_by"], control
        for node in control["proven_by"]:
            path, _, name = node.partition("::")
            assert name.partition("[")[0] in _top_level_names(project / path), node
        assert f"| {control['regime']} | {control['control_id']} |" in doc
        proofs += control["proven_by"]
    if not regimes:
        assert "No compliance regime was selected" in doc
        return
    unique = sorted(set(proofs))
    ran = run_project_tests(project, *unique)
    assert ran.returncode == 0, ran.stdout[-4000:]
    # A proof named without its parameters (the SOX tests) runs each of its cases.
    summary = re.search(r"\n(\d+) passed in ", ran.stdout)
    assert summary is not None, ran.stdout[-2000:]
    assert int(summary.group(1)) >= len(unique), ran.stdout[-2000:]
