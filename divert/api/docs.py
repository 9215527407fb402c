"""The OpenAPI document at /api/v1/openapi.json (flask-smorest makes it from the operations'
schemas) and a page that lists it for people, rendered on the server: no script, so the strict
content security policy holds."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from flask_smorest import current_api
from werkzeug.wrappers import Response

from divert.api.blueprint import unlisted_route
from divert.permissions import public


@unlisted_route("/openapi.json")
@public
def openapi_json() -> Response:
    return jsonify(current_api.spec.to_dict())


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
    for path, item in document["paths"].items():
        # flask-smorest lists a path's own parameters once for all its methods.
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
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
                        for p in [*shared, *op.get("parameters", [])]
                    ],
                    "body": _fields(document, body["schema"]) if body else [],
                    "success": success,
                    "answer": _type_of(document, answer),
                    "errors": sorted(code for code in op["responses"] if not code.startswith("2")),
                }
            )
    return listed


@unlisted_route("/docs")
@public
def docs() -> str:
    document = current_api.spec.to_dict()
    return render_template(
        "api/docs.html",
        document=document,
        operations=_operations(document),
        schemas={
            name: _fields(document, schema)
            for name, schema in document["components"]["schemas"].items()
        },
    )
