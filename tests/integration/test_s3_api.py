"""The S3-compatible API (docs/s3.md) through boto3: buckets are top-level folders, keys are
paths, objects are files written through the same path as every other protocol; and the
errors a client expects, each in S3's XML format with S3's code."""

import datetime
import http.client
import hashlib
import json
import os
import subprocess
import time

import botocore.exceptions
import pytest
import requests

from conftest import Client
from s3_helpers import S3Coffer, boto3_client, make_key, s3, s3_alice, s3_bob  # noqa: F401 (fixtures)

SDK_SCRIPT = os.path.join(os.path.dirname(__file__), "..", "s3-sdk", "roundtrip.mjs")


def rest_node(client, path):
    """The node at `path` ("a/b/c") of the client's tree, found through the REST API."""
    folder = client.root
    node = None
    for name in path.split("/"):
        items = client.get(f"/api/v1/folders/{folder}/children", params={"limit": 1000}).json()["items"]
        node = next(n for n in items if n["name"] == name)
        folder = node["id"]
    return node


def error_of(excinfo):
    e = excinfo.value.response
    return e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"]


@pytest.fixture
def alice_s3(s3, s3_alice):
    return boto3_client(s3.endpoint, make_key(s3_alice))


def test_buckets_are_the_folders_at_the_top_of_the_users_tree(s3, s3_alice, alice_s3):
    s3_alice.mkdir("made-over-rest")
    alice_s3.create_bucket(Bucket="photos")
    names = [b["Name"] for b in alice_s3.list_buckets()["Buckets"]]
    assert "photos" in names and "made-over-rest" in names
    root = s3_alice.get(f"/api/v1/folders/{s3_alice.root}/children").json()["items"]
    assert {"photos", "made-over-rest"} <= {n["name"] for n in root if n["type"] == "folder"}
    alice_s3.head_bucket(Bucket="photos")
    assert alice_s3.get_bucket_location(Bucket="photos").get("LocationConstraint") in (None, "")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.create_bucket(Bucket="photos")
    assert error_of(e) == (409, "BucketAlreadyOwnedByYou")
    alice_s3.delete_bucket(Bucket="photos")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.head_bucket(Bucket="photos")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_objects_written_over_s3_are_files_and_the_other_way_round(s3, s3_alice, alice_s3):
    alice_s3.create_bucket(Bucket="docs")
    body = b"hello over s3\n" * 100
    put = alice_s3.put_object(Bucket="docs", Key="2024/reports/q1.txt", Body=body, ContentType="text/plain",
                              Metadata={"author": "alice", "project": "coffer"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    # The folders along the key exist, and the file reads back over REST.
    docs = [n for n in s3_alice.get(f"/api/v1/folders/{s3_alice.root}/children").json()["items"] if n["name"] == "docs"][0]
    year = s3_alice.get(f"/api/v1/folders/{docs['id']}/children").json()["items"]
    assert [(n["name"], n["type"]) for n in year] == [("2024", "folder")]
    got = alice_s3.get_object(Bucket="docs", Key="2024/reports/q1.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"author": "alice", "project": "coffer"}
    assert got["ETag"] == put["ETag"]
    head = alice_s3.head_object(Bucket="docs", Key="2024/reports/q1.txt")
    assert head["ContentLength"] == len(body)
    # A file uploaded over REST is an object.
    s3_alice.upload("from-rest.bin", b"\x00\x01rest", folder=docs["id"])
    assert alice_s3.get_object(Bucket="docs", Key="from-rest.bin")["Body"].read() == b"\x00\x01rest"
    # Replacing an object makes a new version, as any other write does.
    alice_s3.put_object(Bucket="docs", Key="2024/reports/q1.txt", Body=b"second")
    node = rest_node(s3_alice, "docs/2024/reports/q1.txt")
    assert len(s3_alice.get(f"/api/v1/files/{node['id']}/versions").json()["items"]) == 2
    assert s3_alice.get(f"/api/v1/files/{node['id']}/content").content == b"second"


def test_ranges_and_conditional_reads(s3, s3_alice, alice_s3):
    alice_s3.create_bucket(Bucket="b")
    body = bytes(range(256)) * 40
    etag = alice_s3.put_object(Bucket="b", Key="k", Body=body)["ETag"]
    part = alice_s3.get_object(Bucket="b", Key="k", Range="bytes=100-199")
    assert part["Body"].read() == body[100:200]
    assert part["ContentRange"] == f"bytes 100-199/{len(body)}"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.get_object(Bucket="b", Key="k", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.get_object(Bucket="b", Key="k", IfMatch='"0123"')
    assert error_of(e) == (412, "PreconditionFailed")
    assert alice_s3.get_object(Bucket="b", Key="k", IfMatch=etag)["Body"].read() == body
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.get_object(Bucket="b", Key="k", IfModifiedSince=later)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.get_object(Bucket="b", Key="k", Range=f"bytes={len(body) + 10}-")
    assert error_of(e) == (416, "InvalidRange")


def test_listing_with_prefix_delimiter_and_pages(s3, alice_s3):
    alice_s3.create_bucket(Bucket="tree")
    keys = ["a-c", "a/b", "a/c/d", "a/c/e", "b", "c/x y+z", "c/zz", "d", "empty/"]
    for k in keys:
        alice_s3.put_object(Bucket="tree", Key=k, Body=b"" if k.endswith("/") else k.encode())
    everything = alice_s3.list_objects_v2(Bucket="tree")
    # Byte order of the whole keys ('-' sorts before '/'); an empty folder is no object.
    files = sorted(k for k in keys if not k.endswith("/"))
    assert [o["Key"] for o in everything["Contents"]] == files
    level = alice_s3.list_objects_v2(Bucket="tree", Delimiter="/")
    assert [o["Key"] for o in level["Contents"]] == ["a-c", "b", "d"]
    assert [p["Prefix"] for p in level["CommonPrefixes"]] == ["a/", "c/", "empty/"]
    inside = alice_s3.list_objects_v2(Bucket="tree", Prefix="a/c/", Delimiter="/")
    assert [o["Key"] for o in inside["Contents"]] == ["a/c/d", "a/c/e"]
    partial = alice_s3.list_objects_v2(Bucket="tree", Prefix="a/c/", Delimiter="/", StartAfter="a/c/d")
    assert [o["Key"] for o in partial["Contents"]] == ["a/c/e"]
    # Pages of two, V2 continuation tokens and V1 markers, through boto3's paginators.
    pages = list(alice_s3.get_paginator("list_objects_v2").paginate(Bucket="tree", PaginationConfig={"PageSize": 2}))
    assert len(pages) == 4
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == files
    v1 = list(alice_s3.get_paginator("list_objects").paginate(Bucket="tree", Delimiter="/", PaginationConfig={"PageSize": 2}))
    assert [o["Key"] for p in v1 for o in p.get("Contents", [])] == ["a-c", "b", "d"]
    assert [c["Prefix"] for p in v1 for c in p.get("CommonPrefixes", [])] == ["a/", "c/", "empty/"]
    # encoding-type=url (boto3 asks for it and decodes).
    spaced = alice_s3.list_objects(Bucket="tree", Prefix="c/")
    assert [o["Key"] for o in spaced["Contents"]] == ["c/x y+z", "c/zz"]
    nothing = alice_s3.list_objects_v2(Bucket="tree", Prefix="nope/")
    assert nothing["KeyCount"] == 0 and "Contents" not in nothing


def test_copy_object_with_both_metadata_directives_and_delete_objects(s3, alice_s3):
    alice_s3.create_bucket(Bucket="c")
    alice_s3.put_object(Bucket="c", Key="src.txt", Body=b"copy me", ContentType="text/plain", Metadata={"m": "1"})
    copied = alice_s3.copy_object(Bucket="c", Key="dir/dst.txt", CopySource={"Bucket": "c", "Key": "src.txt"})
    assert copied["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"copy me").hexdigest()
    dst = alice_s3.get_object(Bucket="c", Key="dir/dst.txt")
    assert dst["Body"].read() == b"copy me" and dst["Metadata"] == {"m": "1"} and dst["ContentType"] == "text/plain"
    alice_s3.copy_object(Bucket="c", Key="src.txt", CopySource="c/src.txt", MetadataDirective="REPLACE",
                         Metadata={"m": "2"}, ContentType="application/json")
    assert alice_s3.head_object(Bucket="c", Key="src.txt")["Metadata"] == {"m": "2"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.copy_object(Bucket="c", Key="src.txt", CopySource="c/src.txt")
    assert error_of(e) == (400, "InvalidRequest")
    # The copy-source conditions.
    etag = alice_s3.head_object(Bucket="c", Key="src.txt")["ETag"]
    for condition in ({"CopySourceIfMatch": '"0123"'}, {"CopySourceIfNoneMatch": etag},
                      {"CopySourceIfModifiedSince": datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            alice_s3.copy_object(Bucket="c", Key="cond.txt", CopySource="c/src.txt", **condition)
        assert error_of(e) == (412, "PreconditionFailed"), condition
    alice_s3.copy_object(Bucket="c", Key="cond.txt", CopySource="c/src.txt", CopySourceIfMatch=etag)
    assert alice_s3.get_object(Bucket="c", Key="cond.txt")["Body"].read() == b"copy me"
    result = alice_s3.delete_objects(Bucket="c", Delete={"Objects": [{"Key": "src.txt"}, {"Key": "dir/dst.txt"}, {"Key": "never-was"}, {"Key": "cond.txt"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["cond.txt", "dir/dst.txt", "never-was", "src.txt"]
    assert "Errors" not in result
    # An emptied bucket (only folders left) can go.
    alice_s3.delete_bucket(Bucket="c")


def test_presigned_urls_work_until_they_expire(s3, alice_s3):
    alice_s3.create_bucket(Bucket="p")
    alice_s3.put_object(Bucket="p", Key="shared.txt", Body=b"presigned")
    url = alice_s3.generate_presigned_url("get_object", Params={"Bucket": "p", "Key": "shared.txt"}, ExpiresIn=60)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"presigned"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    put_url = alice_s3.generate_presigned_url("put_object", Params={"Bucket": "p", "Key": "up.txt"}, ExpiresIn=60)
    assert requests.put(put_url, data=b"via presigned put", timeout=10).status_code == 200
    assert alice_s3.get_object(Bucket="p", Key="up.txt")["Body"].read() == b"via presigned put"
    short = alice_s3.generate_presigned_url("get_object", Params={"Bucket": "p", "Key": "shared.txt"}, ExpiresIn=1)
    time.sleep(2.1)
    r = requests.get(short, timeout=10)
    assert r.status_code == 403 and b"<Code>AccessDenied</Code>" in r.content
    tampered = url.replace("shared.txt", "up.txt")
    r = requests.get(tampered, timeout=10)
    assert r.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in r.content


def test_bad_credentials_are_refused_with_s3_codes(s3, s3_alice):
    access_key_id, secret = make_key(s3_alice)
    wrong_secret = boto3_client(s3.endpoint, (access_key_id, secret[:-1] + ("B" if secret.endswith("A") else "A")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        wrong_secret.list_buckets()
    assert error_of(e) == (403, "SignatureDoesNotMatch")
    unknown = boto3_client(s3.endpoint, ("CK" + "A" * 18, secret))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unknown.list_buckets()
    assert error_of(e) == (403, "InvalidAccessKeyId")
    r = requests.get(s3.endpoint + "/", timeout=10)
    assert r.status_code == 403 and b"<Code>AccessDenied</Code>" in r.content
    assert r.headers["Content-Type"] == "application/xml"


def test_another_users_bucket_is_indistinguishable_from_none(s3, s3_alice, s3_bob, alice_s3):
    alice_s3.create_bucket(Bucket="private")
    alice_s3.put_object(Bucket="private", Key="secret.txt", Body=b"alice only")
    bob_s3 = boto3_client(s3.endpoint, make_key(s3_bob))
    for call in (lambda: bob_s3.get_object(Bucket="private", Key="secret.txt"),
                 lambda: bob_s3.list_objects_v2(Bucket="private"),
                 lambda: bob_s3.put_object(Bucket="private", Key="x", Body=b"x")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_of(e) == (404, "NoSuchBucket")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob_s3.get_object(Bucket="never-made", Key="secret.txt")
    assert error_of(e) == (404, "NoSuchBucket")
    assert [b["Name"] for b in bob_s3.list_buckets()["Buckets"]] == []


def test_a_read_only_key_cannot_write(s3, s3_alice, alice_s3):
    alice_s3.create_bucket(Bucket="ro")
    alice_s3.put_object(Bucket="ro", Key="k", Body=b"v")
    reader = boto3_client(s3.endpoint, make_key(s3_alice, scopes="files:read"))
    assert reader.get_object(Bucket="ro", Key="k")["Body"].read() == b"v"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        reader.put_object(Bucket="ro", Key="k", Body=b"overwritten")
    assert error_of(e) == (403, "AccessDenied")
    assert alice_s3.get_object(Bucket="ro", Key="k")["Body"].read() == b"v"


def test_keys_a_file_tree_cannot_hold_are_refused_and_nothing_is_stored(s3, s3_alice, alice_s3):
    alice_s3.create_bucket(Bucket="edge")
    for bad in ("a//b", "a/../b", "./x", "a/\x01b"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            alice_s3.put_object(Bucket="edge", Key=bad, Body=b"x")
        assert error_of(e) == (400, "InvalidArgument"), bad
    alice_s3.put_object(Bucket="edge", Key="file", Body=b"x")
    # A key that is an object cannot also be a prefix, and the other way round.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.put_object(Bucket="edge", Key="file/below", Body=b"x")
    assert error_of(e)[0] == 409
    alice_s3.put_object(Bucket="edge", Key="dir/inner", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.put_object(Bucket="edge", Key="dir", Body=b"x")
    assert error_of(e)[0] == 409
    assert sorted(o["Key"] for o in alice_s3.list_objects_v2(Bucket="edge")["Contents"]) == ["dir/inner", "file"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.delete_bucket(Bucket="edge")
    assert error_of(e) == (409, "BucketNotEmpty")


def test_operations_coffer_does_not_implement_answer_501(s3, alice_s3):
    alice_s3.create_bucket(Bucket="n")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.put_bucket_acl(Bucket="n", ACL="public-read")
    assert error_of(e) == (501, "NotImplemented")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.put_object_tagging(Bucket="n", Key="k", Tagging={"TagSet": []})
    assert error_of(e) == (501, "NotImplemented")


def test_a_body_that_does_not_match_its_content_md5_stores_nothing(s3, alice_s3):
    alice_s3.create_bucket(Bucket="d")
    import base64
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.put_object(Bucket="d", Key="k", Body=b"the body", ContentMD5=wrong)
    assert error_of(e) == (400, "BadDigest")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.head_object(Bucket="d", Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_multipart_upload_through_boto3_with_copy_part_list_and_abort(s3, alice_s3):
    alice_s3.create_bucket(Bucket="mp")
    part1 = os.urandom(5 * 1024 * 1024)
    part3 = b"last part"
    alice_s3.put_object(Bucket="mp", Key="source.bin", Body=os.urandom(6 * 1024 * 1024))
    source = alice_s3.get_object(Bucket="mp", Key="source.bin")["Body"].read()
    upload = alice_s3.create_multipart_upload(Bucket="mp", Key="out/assembled.bin", ContentType="application/x-test",
                                              Metadata={"kind": "multipart"})["UploadId"]
    e1 = alice_s3.upload_part(Bucket="mp", Key="out/assembled.bin", UploadId=upload, PartNumber=1, Body=part1)["ETag"]
    e2 = alice_s3.upload_part_copy(Bucket="mp", Key="out/assembled.bin", UploadId=upload, PartNumber=2,
                                   CopySource={"Bucket": "mp", "Key": "source.bin"},
                                   CopySourceRange="bytes=0-5242879")["CopyPartResult"]["ETag"]
    e3 = alice_s3.upload_part(Bucket="mp", Key="out/assembled.bin", UploadId=upload, PartNumber=3, Body=part3)["ETag"]
    listed = alice_s3.list_parts(Bucket="mp", Key="out/assembled.bin", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed] == [
        (1, len(part1), e1), (2, 5242880, e2), (3, len(part3), e3)]
    uploads = alice_s3.list_multipart_uploads(Bucket="mp")["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("out/assembled.bin", upload)]
    # Parts out of order, a wrong ETag, a small part that is not the last: refused, nothing committed.
    for parts, code in (([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}], "InvalidPartOrder"),
                        ([{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}], "InvalidPart"),
                        ([{"PartNumber": 3, "ETag": e3}, {"PartNumber": 4, "ETag": e3}], "InvalidPart"),
                        ([{"PartNumber": 3, "ETag": e3}, {"PartNumber": 1, "ETag": e1}], "InvalidPartOrder")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            alice_s3.complete_multipart_upload(Bucket="mp", Key="out/assembled.bin", UploadId=upload,
                                               MultipartUpload={"Parts": parts})
        assert error_of(e) == (400, code)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.head_object(Bucket="mp", Key="out/assembled.bin")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    done = alice_s3.complete_multipart_upload(Bucket="mp", Key="out/assembled.bin", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e3}]})
    digests = b"".join(hashlib.md5(p).digest() for p in (part1, source[:5242880], part3))
    assert done["ETag"] == '"%s-3"' % hashlib.md5(digests).hexdigest()
    got = alice_s3.get_object(Bucket="mp", Key="out/assembled.bin")
    assert got["Body"].read() == part1 + source[:5242880] + part3
    assert got["ContentType"] == "application/x-test" and got["Metadata"] == {"kind": "multipart"}
    assert got["ETag"] == done["ETag"]
    assert "Uploads" not in alice_s3.list_multipart_uploads(Bucket="mp")
    # An aborted upload is gone.
    other = alice_s3.create_multipart_upload(Bucket="mp", Key="gone.bin")["UploadId"]
    alice_s3.upload_part(Bucket="mp", Key="gone.bin", UploadId=other, PartNumber=1, Body=b"x")
    alice_s3.abort_multipart_upload(Bucket="mp", Key="gone.bin", UploadId=other)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.list_parts(Bucket="mp", Key="gone.bin", UploadId=other)
    assert error_of(e) == (404, "NoSuchUpload")


def test_the_javascript_sdk_with_its_default_checksum_trailers(s3, s3_alice):
    access_key_id, secret = make_key(s3_alice)
    done = subprocess.run(["node", SDK_SCRIPT, s3.endpoint, access_key_id, secret, "jssdk"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["put_etag_is_md5"] and seen["get_identical"] and seen["multipart_etag"]
    assert seen["multipart_size"] == 10 * 1024 * 1024 + len("the end")
    assert seen["keys"] == ["sdk/multi.bin", "sdk/object.txt"]
    assert seen["keys_after_delete"] == ["sdk/multi.bin"]


def test_parts_too_small_or_too_large_are_refused(s3, alice_s3):
    alice_s3.create_bucket(Bucket="sizes")
    upload = alice_s3.create_multipart_upload(Bucket="sizes", Key="k")["UploadId"]
    e1 = alice_s3.upload_part(Bucket="sizes", Key="k", UploadId=upload, PartNumber=1, Body=b"tiny")["ETag"]
    e2 = alice_s3.upload_part(Bucket="sizes", Key="k", UploadId=upload, PartNumber=2, Body=b"last")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.complete_multipart_upload(Bucket="sizes", Key="k", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert error_of(e) == (400, "EntityTooSmall")
    # A part announced larger than 5 GiB is refused before its body is read.
    url = alice_s3.generate_presigned_url("upload_part", Params={"Bucket": "sizes", "Key": "k", "UploadId": upload,
                                                                "PartNumber": 3}, ExpiresIn=60)
    path = url[len(s3.endpoint):]
    conn = http.client.HTTPConnection("127.0.0.1", s3.s3_port, timeout=30)
    try:
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        conn.putheader("Content-Length", str(5 * 1024 ** 3 + 1))
        conn.endheaders()
        # The server reads the start of a body before any handler runs.
        conn.send(b"\0" * (128 * 1024))
        response = conn.getresponse()
        assert response.status == 400 and b"<Code>EntityTooLarge</Code>" in response.read()
    finally:
        conn.close()
    assert [p["PartNumber"] for p in alice_s3.list_parts(Bucket="sizes", Key="k", UploadId=upload)["Parts"]] == [1, 2]


def test_versions_of_an_object_are_coffers_versions(s3, alice_s3):
    alice_s3.create_bucket(Bucket="v")
    first = alice_s3.put_object(Bucket="v", Key="doc.txt", Body=b"first draft")["ETag"]
    second = alice_s3.put_object(Bucket="v", Key="doc.txt", Body=b"second draft")["ETag"]
    alice_s3.put_object(Bucket="v", Key="other.txt", Body=b"other")
    listed = alice_s3.list_object_versions(Bucket="v", Prefix="doc")
    versions = listed["Versions"]
    assert [(v["Key"], v["IsLatest"], v["ETag"], v["Size"]) for v in versions] == [
        ("doc.txt", True, second, 12), ("doc.txt", False, first, 11)]
    old = alice_s3.get_object(Bucket="v", Key="doc.txt", VersionId=versions[1]["VersionId"])
    assert old["Body"].read() == b"first draft" and old["VersionId"] == versions[1]["VersionId"]
    # Pages of one key each, resumed with the key marker.
    pages = list(alice_s3.get_paginator("list_object_versions").paginate(Bucket="v", PaginationConfig={"PageSize": 1}))
    assert [v["Key"] for p in pages for v in p.get("Versions", [])] == ["doc.txt", "doc.txt", "other.txt"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        alice_s3.get_object(Bucket="v", Key="doc.txt", VersionId="999999")
    assert error_of(e) == (404, "NoSuchVersion")


def test_s3_writes_obey_the_quota_and_deletions_go_to_the_trash(data_dir):
    coffer = S3Coffer(data_dir, extra_args=["--default-quota", "100000"])
    try:
        alice = Client(coffer.server, "alice", "alice-password-1")
        client = boto3_client(coffer.endpoint, make_key(alice))
        client.create_bucket(Bucket="q")
        client.put_object(Bucket="q", Key="fits.bin", Body=os.urandom(60_000))
        with pytest.raises(botocore.exceptions.ClientError) as e:
            client.put_object(Bucket="q", Key="too-much.bin", Body=os.urandom(60_000))
        assert error_of(e) == (403, "QuotaExceeded")
        assert [o["Key"] for o in client.list_objects_v2(Bucket="q")["Contents"]] == ["fits.bin"]
        client.delete_object(Bucket="q", Key="fits.bin")
        trash = alice.get("/api/v1/trash").json()["items"]
        assert [t["name"] for t in trash] == ["fits.bin"]
    finally:
        coffer.stop()


def test_s3_deletions_escaped_the_audit_log(s3, s3_alice, alice_s3):
    """Every deletion is audited whatever the protocol (issue 15, one write path): DeleteObject,
    DeleteObjects and DeleteBucket each leave a files.delete event naming the S3 key."""
    alice_s3.create_bucket(Bucket="gone")
    for key in ("one.txt", "two.txt", "three.txt"):
        alice_s3.put_object(Bucket="gone", Key=key, Body=key.encode())
    ids = {name: rest_node(s3_alice, f"gone/{name}")["id"] for name in ("one.txt", "two.txt", "three.txt")}
    bucket_id = rest_node(s3_alice, "gone")["id"]
    alice_s3.delete_object(Bucket="gone", Key="one.txt")
    alice_s3.delete_objects(Bucket="gone", Delete={"Objects": [{"Key": "two.txt"}, {"Key": "three.txt"}]})
    alice_s3.delete_bucket(Bucket="gone")

    events = s3_alice.get("/api/v1/audit", params={"action": "files.delete"}).json()["items"]
    assert sorted(e["target"] for e in events) == sorted(
        f"node:{i}" for i in [*ids.values(), bucket_id])
    assert all("via s3 key" in e["detail"] for e in events), events
