"""The OpenAPI document says what each endpoint takes and what a success answers, from the handlers
themselves: a handler that reads a JSON body declares its schema, one that answers 201/202 says so."""
import inspect
import re

import pytest


def _handlers(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            view = app.view_functions[rule.endpoint]
            yield rule, view, inspect.getsource(inspect.unwrap(view))


def test_every_handler_reading_a_body_declares_it_and_every_201_or_202_is_declared(app):
    for rule, view, source in _handlers(app):
        if "json_body()" in source or "get_json(" in source or "request.files" in source:
            assert getattr(view, "openapi_body", None), f"{rule.rule}: add @documented(body=...)"
        answered = set(re.findall(r"\), (20[12])\b", source))
        assert answered <= {str(getattr(view, "openapi_status", 200))}, f"{rule.rule} answers {answered}"


@pytest.mark.parametrize("path, method, status, media_type, required", [
    ("/api/v1/applications", "post", "201", "application/json", ["purpose"]),
    ("/api/v1/applications/{application_id}", "put", "200", "application/json", ["purpose"]),
    ("/api/v1/applications/{application_id}/documents", "post", "201", "multipart/form-data", ["file", "kind"]),
    ("/api/v1/profile", "put", "200", "application/json", ["kind", "name", "city"]),  # ISP: only for addresses
    ("/api/v1/batches", "post", "201", "application/json", ["application_ids"]),
])
def test_the_document_carries_the_body_and_the_status(client, path, method, status, media_type, required):
    operation = client.get("/api/v1/openapi.json").json["paths"][path][method]
    assert status in operation["responses"] and (status == "200" or "200" not in operation["responses"])
    schema = operation["requestBody"]["content"][media_type]["schema"]
    assert schema["required"] == required and set(required) <= set(schema["properties"])


def test_the_submit_answer_is_202_and_its_body_is_optional(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/applications/{application_id}/submit"]["post"]
    assert list(operation["responses"]) == ["202", "4XX"]
    assert operation["requestBody"]["required"] is False
    assert set(operation["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {"reply"}
    application = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/applications"]["post"]
    entries = application["requestBody"]["content"]["application/json"]["schema"]["properties"]["entries"]
    assert entries["items"]["anyOf"][0]["type"] == "string" and entries["maxItems"] == 5000  # plain entries, as before
    noted = entries["items"]["anyOf"][1]
    assert noted["required"] == ["input"] and set(noted["properties"]) == {"input", "note"}
    assert application["requestBody"]["content"]["application/json"]["schema"]["properties"]["note"]["maxLength"] == 2000
