"""Presigned S3 URLs for bench/s3.sh: wrk cannot compute SigV4 signatures, so every request
it sends carries a signature made here beforehand (a presigned query string: the same HMAC
chain the server verifies for an Authorization header).

  /usr/bin/python3 bench/s3_presign.py ENDPOINT KEY_ID SECRET METHOD BUCKET PREFIX COUNT > urls

Writes COUNT path-and-query lines for METHOD (PUT or GET) on keys PREFIX0 .. PREFIX<COUNT-1>.
"""

import sys

import boto3
import botocore.config


def main():
    endpoint, key_id, secret, method, bucket, prefix, count = sys.argv[1:8]
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                          region_name="us-east-1",
                          config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    operation = {"PUT": "put_object", "GET": "get_object"}[method]
    out = sys.stdout
    for i in range(int(count)):
        url = client.generate_presigned_url(operation, Params={"Bucket": bucket, "Key": f"{prefix}{i}"}, ExpiresIn=86400)
        out.write(url[len(endpoint):] + "\n")


if __name__ == "__main__":
    main()
