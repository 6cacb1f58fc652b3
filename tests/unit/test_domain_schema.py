"""`backendgen schema domain` prints a JSON Schema that editors can validate domain files with."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import yaml

from backendgen.questions.domain import catalogue_domains
from tests.helpers import run_backendgen


@pytest.fixture(scope="module")
def domain_schema() -> dict[str, object]:
    done = run_backendgen("schema", "domain")
    assert done.returncode == 0, done.stderr
    schema: dict[str, object] = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("name", catalogue_domains())
def test_catalogue_files_validate_against_the_schema(
    domain_schema: dict[str, object], name: str
) -> None:
    text = resources.files("backendgen.catalogue").joinpath(f"{name}.yml").read_text("utf-8")
    jsonschema.validate(yaml.safe_load(text), domain_schema)


@pytest.mark.parametrize(
    "document",
    [
        {"title": "No entities key"},
        {"entities": [{"name": "order", "fields": [{"name": "x", "type": "integer"}]}]},
        {"entities": [{"name": "Order", "fields": [{"name": "x", "type": "money"}]}]},
        {
            "entities": [{"name": "Order", "fields": [{"name": "x", "type": "integer"}]}],
            "colour": "red",
        },
    ],
    ids=["no entities", "lowercase entity", "unknown type", "unknown key"],
)
def test_schema_rejects_invalid_documents(
    domain_schema: dict[str, object], document: dict[str, object]
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, domain_schema)
