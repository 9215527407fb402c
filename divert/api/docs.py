"""The OpenAPI document at /api/v1/openapi.json and a page that lists it for people."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, render_template
from werkzeug.wrappers import Response

from divert.api import spec
from divert.api.blueprint import PREFIX, bp
from divert.permissions import public


def openapi_document() -> dict[str, Any]:
    """Built once per process from the registered operations (they do not change)."""
    document = current_app.extensions.get("divert_openapi")
    if document is None:
        document = spec.build(bp.operations, PREFIX)
        current_app.extensions["divert_openapi"] = document
    return document


@bp.route("/openapi.json")
@public
def openapi_json() -> Response:
    return jsonify(openapi_document())


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if ref:
        return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _type_of(document: dict[str, Any], schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_type_of(document, schema.get('items') or {})}"
    kind = schema.get("format") or schema.get("type") or "object"
    if "enum" in schema:
        kind += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    return kind + (" or null" if schema.get("nullable") else "")


def _fields(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    resolved = _resolve(document, schema)
    required = set(resolved.get("required", []))
    return [
        {
            "name": name,
            "type": _type_of(document, prop),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in (resolved.get("properties") or {}).items()
    ]


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    listed = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
            success = next(code for code in op["responses"] if code.startswith("2"))
            answer = op["responses"][success]["content"]["application/json"]["schema"]
            listed.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "permission": op.get("x-permission"),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_of(document, p.get("schema") or {}),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _fields(document, body["schema"]) if body else [],
                    "success": success,
                    "answer": _type_of(document, answer),
                    "errors": [code for code in op["responses"] if not code.startswith("2")],
                }
            )
    return listed


@bp.route("/docs")
@public
def docs() -> str:
    document = openapi_document()
    return render_template(
        "api/docs.html",
        document=document,
        operations=_operations(document),
        schemas={
            name: _fields(document, schema)
            for name, schema in document["components"]["schemas"].items()
        },
    )
