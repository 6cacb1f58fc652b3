"""Schemathesis against a served backend: one run's options, shared by the fuzz and
conformance suites."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from backendgen.renderers.registry import renderer_for
from tests.helpers import VENV_BIN, project_env, run

SEED = 20261201
"""Fixed seed of every run, so a failure reproduces."""

MAX_EXAMPLES = 5
"""Test cases per operation in the fuzzing phase (the coverage phase adds its own)."""

PHASES = {
    # Anonymous callers meet 401 on everything but the public routes, which the
    # administrator's run covers in full; the boundary cases of the coverage phase add nothing.
    "anonymous": "examples,fuzzing,stateful",
    "admin": "examples,coverage,fuzzing,stateful",
}

SUMMARY = re.compile(r"^\s*(\d+) generated.*$", re.MULTILINE)
OPERATIONS = re.compile(r"Operations:\s+(\d+) selected")


POSITIVE_DATA = "positive_data_acceptance"
"""The check that every schema-valid request is accepted."""


def rules_beyond_json_schema(project: Path) -> list[str]:
    """The project's business rules that JSON Schema cannot state.

    A comparison between two fields (``source != destination``) and a date bound relative to
    today (``date_of_birth <= today-18y``) cannot be written in the OpenAPI document, so a body
    breaking one is schema-valid and rightly refused (422 naming the rule). Where a project has
    such a rule, schemathesis's positive-data check cannot hold and is left out; every other
    check runs, and the rules themselves are attacked in tests/e2e/attack/test_business_rules.py.
    Ranges on numbers and the states a record may start in are published, so they stay checked.
    """
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    entities = (answers.get("slot_core_backend") or {}).get("entities") or []
    return [
        f"{entity['name']}: {rule.get('text') or rule.get('description')}"
        for entity in entities
        for rule in entity.get("rules") or []
        if rule.get("kind") == "compare"
        or (rule.get("kind") == "range" and (rule.get("earliest") or rule.get("latest")))
    ]


def luhn_checked_fields(project: Path) -> list[str]:
    """The project's PCI-tokenised fields, whose values must pass the Luhn check.

    A tokenised field (``slot_security_compliance.pci_tokenization.fields``) takes a card
    number and refuses digits failing the Luhn check (422). The OpenAPI document publishes its
    length and characters, but a checksum is beyond JSON Schema: a regular expression for it
    exists in theory (the check is a finite automaton) but is far too large to publish, and a
    custom ``format`` would leave schemathesis's boundary cases unaware of it. So a
    schema-valid number is often rightly refused, and the positive-data check cannot hold.
    The fields come from the answers, only where the project's renderer implements
    tokenisation (the ``card_tokenization`` capability; elsewhere the field is a plain string,
    fully stated in the document). The refusal itself is attacked in
    tests/e2e/attack/test_pci_tokens.py.
    """
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    framework = str(answers.get("framework") or "fastapi")
    if "card_tokenization" not in renderer_for(framework).capabilities:
        return []
    security = answers.get("slot_security_compliance") or {}
    fields = (security.get("pci_tokenization") or {}).get("fields") or []
    return [f"{field['entity']}.{field['field']}: a card number (Luhn check)" for field in fields]


def beyond_json_schema(project: Path) -> list[str]:
    """What the project refuses that its OpenAPI document cannot state: rules, Luhn checks."""
    return rules_beyond_json_schema(project) + luhn_checked_fields(project)


def run_schemathesis(
    base_url: str,
    caller: str,
    headers: dict[str, str],
    workdir: Path,
    project: Path | None = None,
) -> tuple[int, str]:
    """Run schemathesis against the served document; return its exit code and output.

    It runs in ``workdir``, where it keeps its ``.schemathesis`` cache. Given the served
    ``project``, the positive-data check is left out when the project refuses values the
    document cannot state (:func:`beyond_json_schema`: business rules, Luhn-checked fields).
    """
    args = [
        str(VENV_BIN / "schemathesis"),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        PHASES[caller],
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    if project is not None and beyond_json_schema(project):
        args += ["--exclude-checks", POSITIVE_DATA]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    done = run(args, cwd=workdir, env=project_env(), timeout=900)
    return done.returncode, done.stdout + done.stderr
