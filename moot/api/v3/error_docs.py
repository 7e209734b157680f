"""The error answers of the API (and of the pict-rs routes) in its OpenAPI document.

Every operation answers 400 with moot's error body (Lemmy's `{"error": code, "message"?}`;
Litestar's own refusals are reworded into it by the app). 401 and 404 are listed where the
handler can give them: the error codes it can raise are read from its code and from the
moot functions it calls (a reference to `ErrorCode.X` or to a module constant holding
codes, an `ApiError` subclass with its own status, or `required_viewer`, which raises
`incorrect_login`), and each code's status is `ApiError.status`. Calls through
objects (`moot.fetcher.get`) are not followed; those raise 400s.

Reading the code costs most of a second, so it is done when the document is first asked
for, not at every start.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import types
from collections.abc import Callable
from typing import Any, cast

from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from moot import request_context as context
from moot.errors import ApiError, ErrorCode

ERROR_SCHEMA = {
    "type": "object",
    "description": "Lemmy's error body: `message` only with the codes whose variant carries one "
    "(null for registration_denied without a reason).",
    "properties": {"error": {"type": "string"}, "message": {"type": ["string", "null"]}},
    "required": ["error"],
}
_ANSWERS = {
    400: "The request was refused (`error` is Lemmy's code; `unknown` for malformed input).",
    401: "`incorrect_login`: no valid login where one is needed, or wrong credentials.",
    404: "A `couldnt_find_…` code: what the request names does not exist here.",
}


class ErrorDocumentingJson(JsonRenderPlugin):
    """Litestar's JSON rendering of the document, with the error answers added."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Litestar hands the same cached dict every time; adding is idempotent.
        if "Error" not in openapi_schema.setdefault("components", {}).get("schemas", {}):
            document_errors(request.app, openapi_schema)
        return super().render(request, openapi_schema)


def document_errors(app: Litestar, document: dict[str, Any]) -> None:
    """Add the error body and each API operation's error answers to `document`: the
    Lemmy API (where every operation may refuse its input or be rate limited: 400) and
    the pict-rs routes."""
    document["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    answer = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    cache: dict[types.FunctionType, frozenset[int]] = {}
    for route in app.routes:
        documented = route.path.startswith(("/api/v3", "/api/v4", "/pictrs"))
        if not isinstance(route, HTTPRoute) or not documented:
            continue
        for handler in route.route_handlers:
            statuses = set(_statuses(_function(handler), cache, set()))
            if route.path.startswith(("/api/v3", "/api/v4")):
                statuses.add(400)
            for method in handler.http_methods:
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                if "400" in operation["responses"]:  # Litestar's, for its own refusals
                    statuses.add(400)
                for status in sorted(statuses & _ANSWERS.keys()):
                    description = {"description": _ANSWERS[status]}
                    operation["responses"][str(status)] = description | answer


def _function(handler: HTTPRouteHandler) -> types.FunctionType | None:
    fn = inspect.unwrap(handler.fn)
    return fn if isinstance(fn, types.FunctionType) else None


def _statuses(
    fn: types.FunctionType | None,
    cache: dict[types.FunctionType, frozenset[int]],
    visiting: set[types.FunctionType],
) -> frozenset[int]:
    if fn is None or not fn.__module__.startswith("moot.") or fn in visiting:
        return frozenset()
    if fn in cache:
        return cache[fn]
    if fn is context.required_viewer:
        return frozenset({ApiError(ErrorCode.INCORRECT_LOGIN).status})
    visiting.add(fn)
    found: set[int] = set()
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        tree = ast.Module(body=[], type_ignores=[])
    for node in ast.walk(tree):
        if _is_error_code(node):
            assert isinstance(node, ast.Attribute)
            found.add(ApiError(ErrorCode[node.attr]).status)
        elif isinstance(node, ast.Name | ast.Attribute):
            target = _resolve(node, fn.__globals__)
            if isinstance(target, types.FunctionType):
                found |= _statuses(target, cache, visiting)
            elif isinstance(target, type):
                found |= _error_status(target)
            else:
                found |= _held_codes(target)
    visiting.discard(fn)
    cache[fn] = frozenset(found)
    return cache[fn]


def _is_error_code(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ErrorCode.__members__
        and ast.unparse(node.value).endswith("ErrorCode")
    )


def _held_codes(value: Any) -> frozenset[int]:
    """The statuses of the codes a module-level constant holds (a code, or a dataclass
    with codes in its fields, like the report kinds' `missing`)."""
    if isinstance(value, ErrorCode):
        return frozenset({ApiError(value).status})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (getattr(value, field.name) for field in dataclasses.fields(value))
        return frozenset(ApiError(f).status for f in fields if isinstance(f, ErrorCode))
    return frozenset()


def _error_status(cls: type) -> frozenset[int]:
    """The status of an `ApiError` subclass that sets its own (a 404 with code unknown)."""
    if not issubclass(cls, ApiError) or cls is ApiError:
        return frozenset()
    try:
        return frozenset({cast(Callable[[], ApiError], cls)().status})
    except TypeError:  # it needs arguments: its status is its code's, read elsewhere
        return frozenset()


def _resolve(node: ast.expr, names: dict[str, Any]) -> Any:
    """What a name or `module.name` refers to (functions unwrapped), or None."""
    value: Any = None
    if isinstance(node, ast.Name):
        value = names.get(node.id)
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = names.get(node.value.id)
        if isinstance(module, types.ModuleType):
            value = getattr(module, node.attr, None)
    return inspect.unwrap(value) if isinstance(value, types.FunctionType) else value
