"""The OpenAPI document is served and well-formed (route coverage is checked by the C++
unit test api/openapi_test.cc against the router itself)."""

import requests

# Never stores or reads file content as its subject: not run again on SQLite + S3 (conftest).
STORAGE_NEUTRAL = True


def test_openapi_document(server):
    r = requests.get(server.url + "/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/folders/{id}/files/{name}" in doc["paths"]
    codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
    assert "NOT_FOUND" in codes and "NAME_CONFLICT" in codes


def test_docs_viewer_is_served_locally(server):
    page = requests.get(server.url + "/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "/docs/swagger-ui-bundle.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    bundle = requests.get(server.url + "/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert "SwaggerUIBundle" in requests.get(server.url + "/docs/init.js").text
    assert requests.get(server.url + "/docs/nope.js").status_code == 404
