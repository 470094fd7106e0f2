// Drives coffer's S3 API with the AWS SDK for JavaScript v3 as applications use it: its
// defaults send every upload as aws-chunked with a CRC32 checksum trailer
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER or the signed variant), which the server must verify.
//
//   node roundtrip.mjs ENDPOINT ACCESS_KEY_ID SECRET BUCKET
//
// Prints one JSON object with what it saw; the test (tests/integration/test_s3_api.py)
// checks it. Exits non-zero on any failure.

import { createHash } from "node:crypto";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command,
  DeleteObjectCommand, CreateMultipartUploadCommand, UploadPartCommand,
  CompleteMultipartUploadCommand, HeadObjectCommand,
} from "@aws-sdk/client-s3";

const [endpoint, accessKeyId, secretAccessKey, bucket] = process.argv.slice(2);
const client = new S3Client({
  endpoint, region: "us-east-1", forcePathStyle: true, maxAttempts: 1,
  credentials: { accessKeyId, secretAccessKey },
});
const md5 = (b) => createHash("md5").update(b).digest("hex");
const seen = {};

await client.send(new CreateBucketCommand({ Bucket: bucket }));
const body = Buffer.alloc(300_000, "coffer ");
const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "sdk/object.txt", Body: body, ContentType: "text/plain" }));
seen.put_etag_is_md5 = put.ETag === `"${md5(body)}"`;
seen.put_checksum = put.ChecksumCRC32 ?? null;
const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "sdk/object.txt" }));
seen.get_identical = Buffer.from(await got.Body.transformToByteArray()).equals(body);

// Multipart: two parts of 5 MiB and a small last one, each with its checksum trailer.
const parts = [Buffer.alloc(5 * 1024 * 1024, "a"), Buffer.alloc(5 * 1024 * 1024, "b"), Buffer.from("the end")];
const started = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "sdk/multi.bin" }));
const done = [];
for (let i = 0; i < parts.length; i++) {
  const r = await client.send(new UploadPartCommand({ Bucket: bucket, Key: "sdk/multi.bin", UploadId: started.UploadId, PartNumber: i + 1, Body: parts[i] }));
  done.push({ PartNumber: i + 1, ETag: r.ETag });
}
const completed = await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "sdk/multi.bin", UploadId: started.UploadId, MultipartUpload: { Parts: done } }));
const expected = md5(Buffer.concat(parts.map((p) => Buffer.from(md5(p), "hex")))) + "-3";
seen.multipart_etag = completed.ETag === `"${expected}"`;
const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "sdk/multi.bin" }));
seen.multipart_size = head.ContentLength;

const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "sdk/" }));
seen.keys = (listed.Contents ?? []).map((o) => o.Key);
await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "sdk/object.txt" }));
const after = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "sdk/" }));
seen.keys_after_delete = (after.Contents ?? []).map((o) => o.Key);
console.log(JSON.stringify(seen));
