"""Full-text search through the real server: every extracted format, the index following the
tree (rename, folder moves, delete and restore, tags, metadata), ownership, filters, paging,
query syntax, and hostile queries that must never become a 500."""

import os
import random
import re
import string
import urllib.parse

import pytest

import conftest
import doc_fixtures
from conftest import error_code, wait_processed


@pytest.fixture(autouse=True)
def uploads_wait_for_their_text(monkeypatch):
    """Text is extracted by a background job after the upload commits: here every upload
    waits until its file has been processed, so a search right after it sees the text."""
    upload = conftest.Client.upload

    def upload_and_wait(self, *args, **kw):
        r = upload(self, *args, **kw)
        if r.status_code in (200, 201):
            wait_processed(self, r.json()["id"])
        return r

    monkeypatch.setattr(conftest.Client, "upload", upload_and_wait)


def search(client, q, **params):
    r = client.get("/api/v1/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def found(client, q, **params):
    return [hit["name"] for hit in search(client, q, **params)["items"]]


def test_every_format_is_found_by_its_text(server, alice):
    files = {
        "notes.txt": b"a plain aardvark note",
        "readme.md": b"# Heading\n\nSome *markdown* about the **bandicoot**.",
        "table.csv": b"animal,count\ncapybara,3\n",
        "page.html": b"<html><head><script>var dingo = 1;</script><style>.echidna{}</style></head>"
                     b"<body><p>caf&eacute; &amp; <b>fennec</b></p></body></html>",
        "report.pdf": doc_fixtures.pdf("Quarterly gazelle figures"),
        "letter.docx": doc_fixtures.docx("Dear hedgehog"),
        "sheet.xlsx": doc_fixtures.xlsx("ibex totals"),
        "essay.odt": doc_fixtures.odt("on the jackal"),
    }
    for name, data in files.items():
        assert alice.upload(name, data).status_code == 201
    for word, name in [("aardvark", "notes.txt"), ("bandicoot", "readme.md"), ("capybara", "table.csv"),
                       ("fennec", "page.html"), ("café", "page.html"), ("gazelle", "report.pdf"),
                       ("hedgehog", "letter.docx"), ("ibex", "sheet.xlsx"), ("jackal", "essay.odt")]:
        assert found(alice, word) == [name], word
    # Scripts and styles of HTML are not text.
    assert found(alice, "dingo") == [] and found(alice, "echidna") == []

    hit = search(alice, "gazelle")["items"][0]
    assert "<mark>gazelle</mark>" in hit["snippet"]
    assert hit["path"] == "/report.pdf" and hit["type"] == "file" and hit["mime"] == "application/pdf"


def test_damaged_documents_upload_and_are_found_by_name(server, alice):
    pdf = doc_fixtures.pdf("truncated zebra")
    for name, data in [("cut-zebra.pdf", pdf[: len(pdf) // 3]), ("bomb-zebra.docx", doc_fixtures.zip_bomb()),
                       ("garbage-zebra.xlsx", b"PK\x03\x04" + b"\xff" * 500)]:
        # Not alice.upload, which waits for the background jobs: a damaged PDF's thumbnail
        # job is retried with backoff for a while. Names are indexed with the commit.
        assert alice.put(f"/api/v1/folders/{alice.root}/files/{name}", data=data).status_code == 201
    assert sorted(found(alice, "zebra")) == ["bomb-zebra.docx", "cut-zebra.pdf", "garbage-zebra.xlsx"]
    assert found(alice, "truncated") == []
    assert server.proc.poll() is None


def test_snippets_escape_the_text(server, alice):
    alice.upload("x.txt", b"<script>alert('x')</script> & the zanzibar <b>bold</b>")
    snippet = search(alice, "zanzibar")["items"][0]["snippet"]
    assert "<mark>zanzibar</mark>" in snippet
    # Nothing but the highlights is markup: every other <, > and & is escaped (or, where the
    # engine's snippet leaves punctuation out, absent).
    text = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in text and ">" not in text
    assert re.fullmatch(r"([^&]|&(amp|lt|gt|quot|#39);)*", text), snippet


def test_another_user_never_finds_them(server, alice, bob):
    folder = alice.mkdir("okapi-plans")
    alice.upload("okapi.txt", b"the secret wombat recipe", folder=folder)
    alice.patch(f"/api/v1/nodes/{folder}", json={"tags": ["platypus"], "metadata": {"k": "quoll"}})
    for q in ("wombat", "okapi", "platypus", "quoll", "okapi*", "secret recipe"):
        assert found(alice, q), q
        assert found(bob, q) == [], q
    bob.upload("bob-wombat.txt", b"wombat")
    assert found(bob, "wombat") == ["bob-wombat.txt"]
    assert found(alice, "wombat") == ["okapi.txt"]


def test_the_index_follows_renames_moves_deletes_and_restores(server, alice):
    projects = alice.mkdir("projects")
    alpha = alice.mkdir("alpha", parent=projects)
    fid = alice.upload("notes.txt", b"about the quokka", folder=alpha).json()["id"]
    assert found(alice, "projects", type="file") == ["notes.txt"]
    assert search(alice, "quokka")["items"][0]["path"] == "/projects/alpha/notes.txt"

    # Renaming a folder renames the path of everything below it.
    assert alice.patch(f"/api/v1/nodes/{projects}", json={"name": "ventures"}).status_code == 200
    assert found(alice, "projects") == []
    assert found(alice, "ventures", type="file") == ["notes.txt"]
    assert search(alice, "quokka")["items"][0]["path"] == "/ventures/alpha/notes.txt"

    # Moving a folder elsewhere does too.
    elsewhere = alice.mkdir("elsewhere")
    assert alice.patch(f"/api/v1/nodes/{alpha}", json={"parent_id": elsewhere}).status_code == 200
    assert search(alice, "quokka")["items"][0]["path"] == "/elsewhere/alpha/notes.txt"
    assert found(alice, "ventures", type="file") == []

    # Renaming the file.
    alice.patch(f"/api/v1/nodes/{fid}", json={"name": "koala.txt"})
    assert found(alice, "koala") == ["koala.txt"] and found(alice, "notes") == []

    # Deleting the folder hides everything in it; restoring brings it back.
    assert alice.delete(f"/api/v1/nodes/{alpha}").status_code == 204
    assert found(alice, "quokka") == [] and found(alice, "alpha") == []
    assert alice.post(f"/api/v1/trash/{alpha}/restore").status_code == 200
    assert found(alice, "quokka") == ["koala.txt"]
    assert search(alice, "quokka")["items"][0]["path"] == "/elsewhere/alpha/koala.txt"

    # A copy is found with its content, at its own path; a purged node is gone for good.
    copy = alice.post(f"/api/v1/nodes/{alpha}/copy", json={"parent_id": alice.root, "name": "beta"})
    assert copy.status_code == 201
    paths = sorted(hit["path"] for hit in search(alice, "quokka")["items"])
    assert paths == ["/beta/koala.txt", "/elsewhere/alpha/koala.txt"]
    alice.delete(f"/api/v1/nodes/{alpha}")
    assert alice.delete(f"/api/v1/trash/{alpha}").status_code == 204
    assert [hit["path"] for hit in search(alice, "quokka")["items"]] == ["/beta/koala.txt"]


def test_search_results_report_the_declared_mime_not_the_folder_path(server, alice):
    reports = alice.mkdir("reports")
    uploaded = alice.upload("wombat.md", b"# Wombat census\n", folder=reports,
                            headers={"Content-Type": "text/markdown"}).json()
    assert uploaded["declared_mime"] == "text/markdown"
    [hit] = search(alice, "wombat")["items"]
    assert hit["path"] == "/reports/wombat.md"
    assert hit["declared_mime"] == "text/markdown"
    assert (hit["mime"], hit["size"], hit["sha256"]) == (uploaded["mime"], uploaded["size"], uploaded["sha256"])


def test_tags_and_metadata_values_are_indexed(server, alice):
    fid = alice.upload("plain.txt", b"nothing special").json()["id"]
    alice.patch(f"/api/v1/nodes/{fid}", json={"tags": ["urgentish", "tax"],
                                              "metadata": {"client": "Globex", "year": 2031, "nested": {"city": "Springfield"}}})
    assert found(alice, "urgentish") == ["plain.txt"]
    assert found(alice, "globex") == ["plain.txt"]
    assert found(alice, "springfield") == ["plain.txt"]
    assert found(alice, "2031") == ["plain.txt"]
    assert found(alice, "client") == []  # member names are not values
    alice.patch(f"/api/v1/nodes/{fid}", json={"tags": ["calm"], "metadata": None})
    assert found(alice, "urgentish") == [] and found(alice, "globex") == []
    assert found(alice, "calm") == ["plain.txt"]


def test_query_syntax_phrases_and_prefixes(server, alice):
    alice.upload("fox.txt", b"the quick brown fox jumps")
    alice.upload("xof.txt", b"a fox that is brown")
    assert sorted(found(alice, "brown fox")) == ["fox.txt", "xof.txt"]
    assert found(alice, '"brown fox"') == ["fox.txt"]
    assert found(alice, "jum*") == ["fox.txt"]
    assert found(alice, "jum") == []
    assert found(alice, '"quick bro*"') == []  # a `*` inside quotes is punctuation
    assert found(alice, "QUICK") == ["fox.txt"]  # case-insensitive
    assert found(alice, "brown elephant") == []  # every term must match


def test_photo_did_not_find_photo1_jpg(server, alice):
    """Names are found by the beginning of their words (issue 18): "photo" finds photo1.jpg,
    "report" Q3-report-final.pdf; content words still match whole (see the prefix test)."""
    for name in ("photo1.jpg", "Q3-report-final.pdf", "unrelated.bin"):
        assert alice.upload(name, b"\x00\x01binary").status_code == 201
    assert alice.upload("notes.txt", b"photographs of the reporting week").status_code == 201
    assert found(alice, "photo") == ["photo1.jpg"]
    assert found(alice, "phot") == ["photo1.jpg"]
    assert found(alice, "report") == ["Q3-report-final.pdf"]
    assert found(alice, "q3 report") == ["Q3-report-final.pdf"]
    assert found(alice, "photo report") == []  # every term must match, as before
    assert found(alice, "photographs") == ["notes.txt"]


@pytest.mark.parametrize("q", [
    '"', '""', '"""', '"unbalanced', 'unbalanced"', "*", "**", "fox*", "*fox", "NEAR(", "NEAR(fox brown)",
    "fox AND", "AND", "OR fox", "NOT", "fox NOT brown", "-fox", "+fox", "fox:brown", "name:fox", "content:x",
    "(", ")", "fox)", "{fox}", "^fox", "fox^", "'", "fox'; DROP TABLE nodes; --", "\\", "%", "_",
    "\u00e9t\u00e9", "\u2014", "\U0001F600", "fox\u0000brown", "a" * 1024, "x " * 40, "\t\n",
])
def test_hostile_queries_never_fail_the_server(server, alice, q):
    alice.upload("fox.txt", b"the quick brown fox")
    r = alice.get("/api/v1/search", params={"q": q})
    assert r.status_code in (200, 400), (q, r.status_code, r.text)
    if r.status_code == 400:
        assert error_code(r) == "INVALID_ARGUMENT"
    else:
        assert set(r.json()) == {"items", "next_cursor"}


def test_bad_requests(server, alice):
    for params, code in [({}, "INVALID_ARGUMENT"), ({"q": ""}, "INVALID_ARGUMENT"), ({"q": "?!"}, "INVALID_ARGUMENT"),
                         ({"q": "x" * 1025}, "INVALID_ARGUMENT"), ({"q": "x", "type": "link"}, "INVALID_ARGUMENT"),
                         ({"q": "x", "status": "gone"}, "INVALID_ARGUMENT"), ({"q": "x", "limit": "0"}, "INVALID_ARGUMENT"),
                         ({"q": "x", "limit": "101"}, "INVALID_ARGUMENT"), ({"q": "x", "size_min": "-1"}, "INVALID_ARGUMENT"),
                         ({"q": "x", "size_max": "huge"}, "INVALID_ARGUMENT"), ({"q": "x", "cursor": "abc"}, "INVALID_ARGUMENT"),
                         ({"q": "x", "cursor": "99999999"}, "INVALID_ARGUMENT"),
                         ({"q": "x", "modified_after": "yesterday"}, "INVALID_ARGUMENT")]:
        r = alice.get("/api/v1/search", params=params)
        assert r.status_code == 400 and error_code(r) == code, (params, r.text)
    assert server.url and alice.http.get(server.url + "/api/v1/search?q=x", headers={"Authorization": ""}).status_code == 401


def test_filters_and_paging(server, alice):
    folder = alice.mkdir("llama folder")
    small = alice.upload("llama-small.txt", b"llama").json()
    big = alice.upload("llama-big.txt", b"llama " * 1000).json()
    pdf = alice.upload("llama.pdf", doc_fixtures.pdf("llama")).json()
    assert sorted(found(alice, "llama")) == ["llama folder", "llama-big.txt", "llama-small.txt", "llama.pdf"]
    assert found(alice, "llama", type="folder") == ["llama folder"]
    assert sorted(found(alice, "llama", type="file")) == ["llama-big.txt", "llama-small.txt", "llama.pdf"]
    assert found(alice, "llama", mime="application/pdf") == ["llama.pdf"]
    assert sorted(found(alice, "llama", mime="text/*")) == ["llama-big.txt", "llama-small.txt"]
    assert pdf["size"] < big["size"]
    assert found(alice, "llama", size_min=big["size"], type="file") == ["llama-big.txt"]
    assert found(alice, "llama", size_max=small["size"], type="file") == ["llama-small.txt"]
    assert found(alice, "llama", modified_after="2999-01-01T00:00:00Z") == []
    assert len(found(alice, "llama", modified_before="2999-01-01T00:00:00Z")) == 4

    # Archived documents are left out unless asked for; tags filter.
    alice.patch(f"/api/v1/nodes/{small['id']}", json={"status": "archived", "tags": ["herd"]})
    assert "llama-small.txt" not in found(alice, "llama")
    assert found(alice, "llama", status="archived") == ["llama-small.txt"]
    alice.patch(f"/api/v1/nodes/{big['id']}", json={"tags": ["herd"]})
    assert found(alice, "llama", tag="herd") == ["llama-big.txt"]
    assert found(alice, "llama", tag="herd", status="archived") == ["llama-small.txt"]
    assert folder

    # Pages of two, by cursor, cover every hit once, in rank order.
    first = search(alice, "llama", limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = search(alice, "llama", limit=2, cursor=first["next_cursor"])
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    names = [h["name"] for h in first["items"] + second["items"]]
    assert sorted(names) == ["llama folder", "llama-big.txt", "llama.pdf"]
    scores = [h["score"] for h in first["items"] + second["items"]]
    assert scores == sorted(scores, reverse=True)


def test_new_versions_replace_the_content(server, alice):
    alice.upload("draft.txt", b"first walrus draft")
    assert found(alice, "walrus") == ["draft.txt"]
    alice.upload("draft.txt", b"second narwhal draft")
    assert found(alice, "walrus") == [] and found(alice, "narwhal") == ["draft.txt"]
    # Restoring the old version brings its text back, through a `text` job like an upload's.
    fid = search(alice, "narwhal")["items"][0]["id"]
    old = alice.get(f"/api/v1/files/{fid}/versions").json()["items"][1]["id"]
    assert alice.post(f"/api/v1/files/{fid}/versions/{old}/restore").status_code == 200
    wait_processed(alice, fid)
    assert found(alice, "walrus") == ["draft.txt"] and found(alice, "narwhal") == []


def test_files_shared_with_the_caller_are_found_without_the_owners_folders(server, alice, bob):
    # Alice's tree: /Zebra-Plans/Project/docs/report.txt, and Project is shared with Bob. The
    # folders above Project are Alice's business: Bob's searches never match or show them.
    top = alice.mkdir("Zebra-Plans")
    project = alice.mkdir("Project", parent=top)
    docs = alice.mkdir("docs", parent=project)
    report = alice.upload("report.txt", b"quarterly narwhal figures", folder=docs).json()["id"]
    alice.upload("outside.txt", b"narwhal outside the share", folder=top)
    r = alice.post(f"/api/v1/nodes/{project}/shares", json={"username": "bob", "permission": "read"})
    assert r.status_code == 201, r.text

    for q in ("narwhal", "narwh*", "quarterly narwhal", '"narwhal figures"', "report"):
        hits = search(bob, q)["items"]
        assert [h["name"] for h in hits] == ["report.txt"], q
        hit = hits[0]
        assert hit["path"] == "/Project/docs/report.txt"
        assert hit["share_root_id"] == project
        assert hit["owner"]["username"] == "alice"
        assert "Zebra" not in hit["snippet"]
    assert found(bob, "zebra") == []
    assert found(bob, "plans") == []
    assert found(bob, "outside") == []
    # Names inside the share are found, with paths from the shared folder down.
    assert {h["name"]: h["path"] for h in search(bob, "project")["items"]} == {"Project": "/Project"}
    assert {h["name"]: h["path"] for h in search(bob, "docs")["items"]} == {"docs": "/Project/docs"}
    # The owner still searches by her whole paths.
    assert sorted(found(alice, "narwhal")) == ["outside.txt", "report.txt"]
    assert found(alice, "zebra report") == ["report.txt"]

    # Filters apply to shared hits, and the caller's own files rank beside them.
    assert found(bob, "narwhal", type="folder") == []
    mine = bob.upload("narwhal.txt", b"narwhal narwhal narwhal").json()["id"]
    hits = search(bob, "narwhal")["items"]
    assert {h["id"] for h in hits} == {mine, report}
    assert [h["path"] for h in hits if h["id"] == mine] == ["/narwhal.txt"]
    assert "owner" not in next(h for h in hits if h["id"] == mine)
    first = search(bob, "narwhal", limit=1)
    second = search(bob, "narwhal", limit=1, cursor=first["next_cursor"])
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {mine, report}
    assert second["next_cursor"] is None

    # Trash and revocation take effect on the next search.
    assert alice.delete(f"/api/v1/nodes/{report}").status_code == 204
    assert found(bob, "quarterly") == []
    assert alice.post(f"/api/v1/trash/{report}/restore").status_code == 200
    assert found(bob, "quarterly") == ["report.txt"]
    assert alice.delete(f"/api/v1/shares/{r.json()['id']}").status_code == 204
    assert found(bob, "quarterly") == []
    assert found(bob, "narwhal") == ["narwhal.txt"]


def test_group_shares_and_nested_shares_are_searched_once(server, alice, bob):
    conftest.add_user(server, "root", "root-password-1", admin=True)
    root = conftest.Client(server, "root", "root-password-1")
    gid = root.post("/api/v1/admin/groups", json={"name": "Team"}).json()["id"]
    bob_id = bob.get("/api/v1/auth/me").json()["id"]
    assert root.put(f"/api/v1/admin/groups/{gid}/members/{bob_id}").status_code == 204

    outer = alice.mkdir("Outer")
    inner = alice.mkdir("Inner", parent=outer)
    alice.upload("walrus.txt", b"the walrus minutes", folder=inner)
    assert alice.post(f"/api/v1/nodes/{outer}/shares",
                      json={"group_id": gid, "permission": "read"}).status_code == 201
    assert alice.post(f"/api/v1/nodes/{inner}/shares",
                      json={"username": "bob", "permission": "write"}).status_code == 201
    hits = search(bob, "walrus")["items"]
    # Reached through both shares, found once, placed under the outer one.
    assert [(h["name"], h["path"], h["share_root_id"]) for h in hits] == [
        ("walrus.txt", "/Outer/Inner/walrus.txt", outer)]


def metadata_bytes(server):
    """The space the installation's metadata takes: the SQLite database (the server stopped,
    so that its log is checkpointed into it and removed), or on PostgreSQL the search table
    with its indexes (the whole database also holds the dead row versions of every ancestor's
    change time, 300 per new folder at the bottom, which autovacuum reclaims when it likes)."""
    if conftest.ON_POSTGRES:
        database = urllib.parse.urlsplit(conftest.database_urls(server.database_of)[0]).path[1:]
        return int(conftest.postgres().psql("SELECT pg_total_relation_size('search_docs')",
                                            database=database))
    server.stop()
    size = sum(os.path.getsize(os.path.join(server.data_dir, f))
               for f in os.listdir(server.data_dir) if f.startswith("meta.db"))
    server.start()
    return size


def test_nested_folders_grew_the_search_index_by_the_square_of_their_depth(server, alice):
    # Finding 6 of the security review: every node's full path was indexed, so a chain of
    # nested folders cost depth² bytes (800 of them made 67 MB) and renaming the top one
    # rewrote every row below it. Each row now holds the node's own name.
    depth, name_bytes = 300, 200
    before = metadata_bytes(server)
    parent = alice.root
    for i in range(depth):
        parent = alice.mkdir(f"{i:03d} " + "".join(random.choices(string.ascii_lowercase, k=name_bytes - 4)),
                             parent=parent)
    deep = alice.upload("abyss.txt", b"a dumbo octopus lives here", folder=parent).json()["id"]
    grown = metadata_bytes(server) - before
    # The names alone are 60 KB; their paths would be 300 x 300 / 2 x 201 bytes = 9 MB.
    assert grown < 3_000_000, grown

    # Still found by the name of any folder above it, and shown at its whole path.
    [hit] = search(alice, "dumbo")["items"]
    assert hit["id"] == deep and hit["path"].count("/") == depth + 1
    assert hit["path"].startswith("/000 ")
    top = alice.get(f"/api/v1/folders/{alice.root}/children").json()["items"][0]["id"]
    assert alice.patch(f"/api/v1/nodes/{top}", json={"name": "summit"}).status_code == 200
    assert found(alice, "summit octopus") == ["abyss.txt"]
    assert search(alice, "octopus")["items"][0]["path"].startswith("/summit/001 ")
