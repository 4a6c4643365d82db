"""OpenAPI schema hooks (drf-spectacular POSTPROCESSING_HOOKS)."""

from __future__ import annotations

from typing import Any

# portal.rest.plumbing.exception_handler gives every error this shape.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
ERROR_RESPONSES = {
    "400": "The request is malformed or a value is invalid (see error.fields).",
    "401": "Credentials were sent but are wrong (HTTP Basic, development only).",
    "403": "Not signed in, or not allowed to do this.",
    "404": "No such object, or not visible to you.",
    "429": "Too many requests; try again later.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Document the errors every operation can answer, in the one shape they all share."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"content": reference, "description": description})
    return result
