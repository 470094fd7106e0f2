"""The OpenAPI document is served and well-formed (route coverage is checked by the C++
unit test api/openapi_test.cc against the router itself)."""

import requests


def test_openapi_document(server):
    r = requests.get(server.url + "/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/folders/{id}/files/{name}" in doc["paths"]
    codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
    assert "NOT_FOUND" in codes and "NAME_CONFLICT" in codes
