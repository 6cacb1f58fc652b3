"""The published contract: the OpenAPI document with every error declared per operation.

Each operation lists the error responses it can give, each an RFC 9457 problem
(``application/problem+json``): those its route declares (401, 403, 404, 409, 429), plus 400
(unparseable body), 413 (body too large) and 422 (schema violated) wherever a body or a
parameter is read, and 404 wherever the path names a record.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from core.controllers.errors import PROBLEM_JSON
from core.schemas.common import Problem, ValidationProblem

_REF = "#/components/schemas/{model}"

_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    404: "No such record",
    413: "The body is larger than the server accepts",
    422: "The request does not match this schema",
}

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _problem_content(code: int) -> dict[str, Any]:
    model = ValidationProblem if code == 422 else Problem
    return {PROBLEM_JSON: {"schema": {"$ref": _REF.format(model=model.__name__)}}}


def _error_codes(path: str, operation: dict[str, Any]) -> set[int]:
    """The error status codes an operation may answer with, besides those its route declares."""
    codes = {int(code) for code in operation.get("responses", {}) if str(code)[0] in "45"}
    if "requestBody" in operation:
        codes |= {400, 413, 422}
    if operation.get("parameters"):
        codes.add(422)
    if "{" in path:
        codes.add(404)
    return codes


def declare_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the problem responses of every operation of an OpenAPI document (in place).

    Args:
        schema: The document FastAPI built.

    Returns:
        The same document, every 4xx/5xx response an ``application/problem+json`` problem.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, ValidationProblem):
        model_schema = model.model_json_schema(ref_template=_REF)
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(_error_codes(path, operation)):
                declared = responses.get(str(code), {})
                responses[str(code)] = {
                    "description": declared.get("description", _DESCRIPTIONS.get(code, "Error")),
                    "content": _problem_content(code),
                }
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the document :func:`declare_problems` completes as ``app``'s OpenAPI schema."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
