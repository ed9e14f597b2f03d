"""User metadata beyond US-ASCII through boto3, run by
TestBoto3UserMetadata.

Usage: python3 boto3_metadata.py ENDPOINT ACCESS_KEY SECRET_KEY REGION CAFILE

botocore refuses non-ASCII metadata values itself (ParamValidationError),
so its users send RFC 2047 encoded words; S3 stores the decoded text and
answers a non-ASCII value as one "=?UTF-8?B?...?=" word, ASCII values as
they are. Checks put_object, head_object, get_object, copy_object and
create_multipart_upload; exits non-zero on the first failure.
"""

import base64
import email.header
import sys
import time

import boto3
import botocore.exceptions
from botocore.config import Config


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(desc, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (desc, got, want))
    print("ok - " + desc)


def b_word(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def decoded(value):
    return "".join(part.decode(cs or "ascii") if isinstance(part, bytes) else part
                   for part, cs in email.header.decode_header(value))


def main():
    endpoint, key, secret, region, cafile = sys.argv[1:6]
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=key,
        aws_secret_access_key=secret, region_name=region,
        verify=cafile if cafile != "-" else None,
        config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}))
    bucket = "meta-%d" % (time.time_ns() % 10**9)
    s3.create_bucket(Bucket=bucket)

    try:
        s3.put_object(Bucket=bucket, Key="raw", Body=b"x", Metadata={"m": "Grüße"})
        fail("botocore sent a non-ASCII metadata value")
    except botocore.exceptions.ParamValidationError:
        print("ok - botocore refuses a raw non-ASCII value itself")

    sent = {
        "b-word": b_word("Grüße, 中文"),
        "q-word": "=?utf-8?q?caf=C3=A9?=",
        "plain": "ascii only",
    }
    want = {"b-word": b_word("Grüße, 中文"), "q-word": b_word("café"), "plain": "ascii only"}
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata=sent)
    check("head_object metadata", s3.head_object(Bucket=bucket, Key="k")["Metadata"], want)
    got = s3.get_object(Bucket=bucket, Key="k")
    got["Body"].read()
    check("get_object metadata", got["Metadata"], want)
    check("the B word decodes to the text", decoded(got["Metadata"]["b-word"]), "Grüße, 中文")

    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    check("copy_object keeps it", s3.head_object(Bucket=bucket, Key="copy")["Metadata"], want)
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"},
                   MetadataDirective="REPLACE", Metadata={"new": b_word("ö")})
    check("copy_object REPLACE", s3.head_object(Bucket=bucket, Key="copy")["Metadata"], {"new": b_word("ö")})

    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", Metadata=sent)
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"part")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    check("multipart object metadata", s3.head_object(Bucket=bucket, Key="mp")["Metadata"], want)
    print("ok - boto3 %s" % boto3.__version__)


main()
