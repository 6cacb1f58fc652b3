"""A scripted model that designs a 40-entity freight domain in an outline and batches.

It answers as a model asked by :mod:`backendgen.llm.design_fanout` would: the outline request
with the entities' names, purposes and relationships, the enums (but ``Severity``, which the
batch of ``DeliveryIssue`` declares) and the roles; each batch request with the fields, rules,
samples and retention of exactly the entities the request's ``detail`` names. Other agents
get refusals and fall back to their blueprints of the designed domain.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.fakes import Refusal, request_name

FREIGHT = yaml.safe_load((Path(__file__).parent / "data" / "logistics_design.yml").read_text())
"""The design the scripted model gives (tests/data/logistics_design.yml)."""

FREIGHT_DESCRIPTION = (
    "a regional freight company: customers and their addresses, warehouses, zones, bins, "
    "suppliers, product categories, products, stock levels, purchase orders and their lines, "
    "receipts, sales orders and their lines, pick lists, pick tasks, packages, shipments, "
    "shipment items, carriers, carrier services, rates, depots, vehicles, drivers, routes, "
    "stops, trips, delivery attempts, proofs of delivery, delivery issues, return requests, "
    "invoices, invoice lines, payments, credit notes, fuel logs, maintenance records, "
    "incidents and service level agreements"
)
"""A description that lists the design's forty entities."""

OUTLINE, BATCH = "DomainOutline", "EntityBatch"
"""The request names (tool or schema names) of the two kinds of design request."""

BATCH_ONLY_ENUM = "Severity"


def outline() -> dict[str, Any]:
    """The outline answer."""
    return {
        "title": FREIGHT["title"],
        "summary": FREIGHT["summary"],
        "entities": [
            {
                "name": e["name"],
                "description": e["description"],
                "relationships": e.get("relationships", []),
            }
            for e in FREIGHT["entities"]
        ],
        "enums": [e for e in FREIGHT["enums"] if e["name"] != BATCH_ONLY_ENUM],
        "roles": FREIGHT["roles"],
        "glossary": FREIGHT["glossary"],
    }


def detail_names(body: Mapping[str, Any]) -> list[str]:
    """The entities a batch request asks to detail (from its first user message)."""
    for message in body.get("messages") or []:
        if message.get("role") == "user":
            return list(json.loads(message["content"])["detail"])
    raise AssertionError("a batch request without a user message")


def batch(names: list[str]) -> dict[str, Any]:
    """The batch answer detailing ``names``."""
    entities = {e["name"]: e for e in FREIGHT["entities"]}
    details = [
        {"name": n, "fields": entities[n]["fields"], "rules": entities[n].get("rules", [])}
        for n in names
    ]
    used = {f.get("enum") for n in names for f in entities[n]["fields"]}
    return {
        "entities": details,
        "enums": [
            e for e in FREIGHT["enums"] if e["name"] == BATCH_ONLY_ENUM and e["name"] in used
        ],
        "samples": {n: FREIGHT["samples"][n] for n in names if n in FREIGHT["samples"]},
        "retention": {n: d for n, d in FREIGHT["retention"].items() if n in names},
    }


class FreightDesigner:
    """The scripted designer; ``spoil`` may replace the answer for some batches.

    Args:
        spoil: Given a batch's entity names and how often that batch was asked before,
            returns a replacement answer, or None to answer well.
    """

    def __init__(self, spoil: Callable[[list[str], int], Any] | None = None) -> None:
        self.spoil = spoil
        self.asked: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    def __call__(self, body: Mapping[str, Any]) -> Any:
        name = request_name(body)
        if name == OUTLINE:
            return outline()
        if name != BATCH:
            return Refusal("Not today.")
        names = detail_names(body)
        with self._lock:
            seen = self.asked.get(tuple(names), 0)
            self.asked[tuple(names)] = seen + 1
        spoiled = self.spoil(names, seen) if self.spoil else None
        return spoiled if spoiled is not None else batch(names)


def freight_expected() -> dict[str, Any]:
    """The design as the saved domain file holds it (``Vehicle.class`` renamed)."""
    expected: dict[str, Any] = json.loads(json.dumps(FREIGHT))
    for entity in expected["entities"]:
        for field in entity["fields"]:
            if field["name"] == "class":
                field["name"] = "class_value"
    vehicle = expected["samples"]["Vehicle"]
    vehicle["class_value"] = vehicle.pop("class")
    return expected
