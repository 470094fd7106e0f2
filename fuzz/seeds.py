#!/usr/bin/python3
"""Writes the seed corpora of the fuzz harnesses (fuzz/corpus/<name>/): a few valid and a few
nearly valid inputs each, in the input layout its harness documents. Run after changing a
layout; the harnesses grow their own working corpora from these (make fuzz)."""

import hashlib
import pathlib
import shutil
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"


def write(name, seeds):
    folder = ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i, seed in enumerate(seeds):
        data = seed.encode() if isinstance(seed, str) else seed
        (folder / f"seed-{i:02d}").write_bytes(data)


def raw_chunk(content):
    return b"CFC1" + b"\0" * 4 + struct.pack("<Q", len(content)) + content


def zstd_chunk(content):
    with tempfile.NamedTemporaryFile() as f:
        f.write(content)
        f.flush()
        frame = subprocess.run(["zstd", "-1", "-q", "-c", f.name], check=True,
                               stdout=subprocess.PIPE).stdout
    return b"CFC1\x01" + b"\0" * 3 + struct.pack("<Q", len(content)) + frame


def chunk_id(content):
    return hashlib.sha256(content).digest()


def volume_record(content, encoded):
    return b"CFV1" + b"\0" * 4 + struct.pack("<Q", len(encoded)) + chunk_id(content) + encoded


EMPTY_SHA256_B64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
EMPTY_SHA256_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

write("range", ["1000\nbytes=0-99", "1000\nbytes=-5", "1000\nbytes=990-", "10\nbytes=0-1,3-4",
                "0\nbytes=0-", "1000\nBYTES= 00-", "18446744073709551615\nbytes=18446744073709551614-",
                "1000\nbytes=5-2"])

# The first character picks the parser: '0' to '5' (ASCII 48 to 53, taken modulo 6).
write("http_headers", [
    "0Sun, 06 Nov 1994 08:49:37 GMT", "0Sunday, 06-Nov-94 08:49:37 GMT",
    "1w\"abc\"\nW/\"abc\", \"def\"", "1x\"abc\"\n*",
    "2gzip\ngzip;q=0.5, br;q=0, *;q=0.1", "2zstd\nidentity, *;q=0",
    f"3{EMPTY_SHA256_HEX}\n\n", f"3\nsha-256={EMPTY_SHA256_B64}\n",
    f"3\n\nsha-256=:{EMPTY_SHA256_B64}:", "4résumé \"final\";\r\n.pdf", "4a\u202egpj.exe",
    "52026-12-07T15:24:03.123456Z", "51970-01-01T00:00:00+00:00"])

write("multipart", [
    b"\x07multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: form-data; "
    b"name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ\r\n"
    b"Content-Disposition: form-data; name=\"f2\"\r\n\r\nv\r\n--XyZ--\r\n",
    b"\x00multipart/form-data; boundary=\"quoted boundary\"\npreamble\r\n--quoted boundary\r\n"
    b"Content-Disposition: form-data; name=\"x\"; filename*=UTF-8''%C3%A9.txt\r\n\r\n"
    b"--quoted boundary-\r\n--quoted boundary--",
    b"\x31multipart/form-data; boundary=b\n--b--\r\n"])

write("json_body", [b"\x00{\"name\":\"a.txt\",\"parent_id\":12}", b"\x04[1,2]",
                    b"\x00{\"a\":{\"b\":[1,2.5,null,true,\"\\u00e9\"]},\"name\":3}",
                    b"\x0112", b"\x02", b"\x00{\"name\":\"x\"", b"\x00" + b"[" * 100])

# '0' Upload-Length/Offset, '1' Upload-Metadata, '2' Upload-Checksum (48, 49, 50 modulo 3).
write("tus_headers", ["0 12345", "0+1", "1filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential",
                      "1a Zg==, a Zm8=", f"2sha256 {EMPTY_SHA256_B64}", "2md5 1B2M2Y8AsgTpgAmY7PhCfg=="])

# '0' WebDAV URLs, '1' file names, '2' search queries.
write("paths", ["0/dav/a/b%20c/", "0http://localhost:8080/remote.php/dav/files/alice/x/y.txt",
                "0/remote.php/webdav/../x", "0/dav/%2e%2e/x", "0https://other.example/dav/a",
                "1résumé.pdf", "1e\u0301", "1..", "1a/b", "1\x01", "2\"exact phrase\" photo* x",
                "2Q3-report-final"])

PROPFIND = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:x="urn:x">'
            '<D:prop><D:getetag/><D:getcontentlength/><x:color/></D:prop></D:propfind>')
PROPPATCH = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://ns.example.com/z/">'
             '<D:set><D:prop><Z:Author xml:lang="en">Jim <Z:b>Whitehead</Z:b></Z:Author>'
             '<Z:empty/></D:prop></D:set><D:remove><D:prop><Z:Copyright-Owner/></D:prop></D:remove>'
             '</D:propertyupdate>')
LOCKINFO = ('<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope>'
            '<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>'
            '<D:href>http://example.org/~ejw/contact.html</D:href></D:owner></D:lockinfo>')
# '0' PROPFIND, '1' PROPPATCH, '2' LOCK, '3' any XML (48 to 51 modulo 4).
write("dav_xml", ["0" + PROPFIND, '0<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
                  "0<propfind xmlns='DAV:'><propname/></propfind>", "1" + PROPPATCH,
                  '1<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="" a="1">t</x>'
                  '</D:prop></D:set></D:propertyupdate>', "2" + LOCKINFO,
                  '2<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope></D:lockinfo>',
                  '3<a xmlns="urn:a" xmlns:b="urn:b"><b:c b:d="1">&amp;&#x41;<![CDATA[x]]></b:c></a>',
                  '3<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'])

write("if_header", ["(<opaquelocktoken:lock-1> [\"etag-1\"]) (Not <DAV:no-lock>)",
                    "</docs/a.txt> (<opaquelocktoken:lock-1>) <http://h/x> ([W/\"e\"])",
                    "(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2>", "()"])

write("request_parser", [
    b"\x01GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"\x05PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n"
    b"0\r\nDigest: sha-256=x\r\n\r\n",
    b"\x03POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
    b"\x07GET /x HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
    b"\x09PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n",
    b"\x0bGET http://a/x?y=%20 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"])

hello = b"hello world"
text = b"the quick brown fox jumps over the lazy dog " * 40
write("chunk_codec", [chunk_id(hello) + b"\0" * 8 + raw_chunk(hello),
                      chunk_id(text) + b"\0" * 8 + zstd_chunk(text),
                      chunk_id(b"") + b"\0" * 8 + raw_chunk(b""),
                      chunk_id(hello) + b"\x01" * 8 + raw_chunk(hello)])

records = volume_record(hello, raw_chunk(hello)) + volume_record(text, zstd_chunk(text))
write("volume", [records, records + volume_record(b"torn", raw_chunk(b"torn"))[:30],
                 volume_record(hello, raw_chunk(hello))[:-1], b""])

write("config_file", [
    'data = "/srv/coffer"\nlog_level = "info"\n\n[serve]\nlisten = "127.0.0.1:8080"\n'
    'io_threads = 2\nmax_connections = 4096\nsecure_cookies = false\n',
    '[serve]\nio_threads = 0\n', 'listen = 8080\n', 'unknown_key = 1\n', '[serve\n', 'serve = 1\n',
    '[serve]\ntoken_ttl = 1e400\nrefresh_grace = -1\n'])

GET_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
write("s3_request", [
    f"GET\n/test.txt\nHost: examplebucket.s3.amazonaws.com\nRange: bytes=0-9\n"
    f"x-amz-content-sha256: {EMPTY_SHA256_HEX}\nx-amz-date: 20130524T000000Z\nAuthorization: {GET_AUTH}\n",
    "GET\n/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
    "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders="
    "host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404\n"
    "Host: examplebucket.s3.amazonaws.com\n",
    "PUT\n/bucket/dir/key%20with%20space?partNumber=1&uploadId=x\nHost: bucket.s3.example.com\n"
    "x-amz-copy-source: /src-bucket/a/b.txt?versionId=7\n",
    "GET\n/\nAuthorization: AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=\n"])

SEED_SIGNATURE = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
DOCUMENTED_BODY = (b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"
                   + b"a" * 65536 + b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7"
                   b"d234b86a503ef5497\r\n" + b"a" * 1024 + b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646"
                   b"744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
# The first byte picks the payload mode (modulo 5: 0 signed chunks, 1 signed chunks with a
# trailer, 2 unsigned chunks with a trailer, 3 a signed plain body, 4 an unsigned one).
write("aws_chunked", [
    b"(Content-Encoding:aws-chunked\nx-amz-decoded-content-length:66560\n\n" + DOCUMENTED_BODY,
    b"\x02Content-Encoding:aws-chunked\nx-amz-decoded-content-length:5\n"
    b"x-amz-trailer:x-amz-checksum-crc32\n\n5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
    b"\x03Content-Length:0\n\n",
    b"\x04Content-Length:5\nContent-MD5:XUFAKrxLKna5cZ2REBfFkg==\n\nhello"])
