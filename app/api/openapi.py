"""OpenAPI 3.1 built from the registered routes, so the description cannot drift from the code.

Each handler's docstring gives the summary (first line) and description (the rest); @documented
adds what a docstring cannot: the request body's JSON schema and the status of a success.
"""
import inspect
import re

from flask import Flask

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_ERROR = {"$ref": "#/components/schemas/Error"}
_SUCCESS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


def documented(body: dict | None = None, status: int = 200, media_type: str = "application/json",
               body_required: bool = True, public: bool = False):
    """Declare a handler's request body (a JSON schema; `media_type` multipart/form-data for uploads;
    `body_required=False` when it may be left out) and the status it answers on success; `public=True` for one
    that takes no bearer token (the payment callback, signed instead). Put it below
    the route decorator:

        @bp.post("/applications")
        @documented(body=schemas.APPLICATION, status=201)
        def create_application(): ...
    """
    def attach(view):
        view.openapi_body, view.openapi_status, view.openapi_media_type = body, status, media_type
        view.openapi_body_required = body_required
        view.openapi_public = public
        return view

    return attach


def _operation(view, method: str, params: list[str]) -> dict:
    doc = inspect.getdoc(view) or ""
    summary, _, description = doc.partition("\n")
    status = getattr(view, "openapi_status", 200)
    op = {
        "summary": summary.strip(),
        "operationId": f"{view.__name__}_{method.lower()}",
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params],
        "responses": {
            str(status): {"description": _SUCCESS.get(status, "OK")},
            "4XX": {"description": "Error", "content": {"application/json": {"schema": _ERROR}}},
        },
    }
    body = getattr(view, "openapi_body", None)
    if body is not None and method in ("POST", "PUT", "PATCH", "DELETE"):
        op["requestBody"] = {"required": view.openapi_body_required,
                             "content": {view.openapi_media_type: {"schema": body}}}
    if description.strip():
        op["description"] = description.strip()
    if view.__name__ != "openapi" and not getattr(view, "openapi_public", False):
        op["security"] = [{"bearer": []}]
    return op


def build_openapi(app: Flask, server: str) -> dict:
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        params = _CONVERTER.findall(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method, params)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Raasta API", "version": "1"},
        "servers": [{"url": server.rsplit("/openapi.json", 1)[0]}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "object", "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
                }
            },
        },
    }
