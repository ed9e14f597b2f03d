"""An empty PUT followed by another PUT on one boto3 client, run by
TestBoto3EmptyPutKeepsConnection.

Usage: python3 boto3_expect.py ENDPOINT ACCESS_KEY SECRET_KEY REGION CAFILE

boto3 sends "Expect: 100-continue" on every PUT. A server that answers an
empty PUT with its final status alone leaves botocore's kept-alive
connection expecting that status again, and the next PUT on it waits for
the read timeout. Each round here (an empty put_object, then a 2 KiB one,
on the same client, so the same connection) must finish well under a
second; the read timeout is 5 s and retries are off, so a stall fails.
Prints one line per round; exits non-zero on the first failure.
"""

import sys
import time

import boto3
from botocore.config import Config

ROUNDS = 3
LIMIT = 1.0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    endpoint, key, secret, region, cafile = sys.argv[1:6]
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=key,
        aws_secret_access_key=secret, region_name=region,
        verify=cafile if cafile != "-" else None,
        config=Config(read_timeout=5, connect_timeout=5,
                      retries={"total_max_attempts": 1},
                      s3={"addressing_style": "path"}))
    bucket = "expect-%d" % (time.time_ns() % 10**9)
    s3.create_bucket(Bucket=bucket)
    data = b"k" * 2048
    for i in range(ROUNDS):
        start = time.monotonic()
        s3.put_object(Bucket=bucket, Key="empty-%d" % i, Body=b"")
        s3.put_object(Bucket=bucket, Key="two-kib-%d" % i, Body=data)
        took = time.monotonic() - start
        if took >= LIMIT:
            fail("round %d: empty PUT then 2 KiB PUT took %.2f s, want < %.1f s" % (i, took, LIMIT))
        print("ok - round %d: empty PUT then 2 KiB PUT in %.3f s" % (i, took))
        got = s3.get_object(Bucket=bucket, Key="empty-%d" % i)["Body"].read()
        if got != b"":
            fail("empty-%d: got %d bytes, want 0" % (i, len(got)))
        got = s3.get_object(Bucket=bucket, Key="two-kib-%d" % i)["Body"].read()
        if got != data:
            fail("two-kib-%d: got %d bytes, want the 2048 written" % (i, len(got)))
    print("ok - boto3 %s" % boto3.__version__)


main()
