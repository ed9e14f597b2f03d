"""Compatibility checks of Hoard with boto3, run by boto3.sh.

Usage: python3 boto3_check.py ENDPOINT ACCESS_KEY SECRET_KEY REGION WORKDIR

Drives one running server through boto3's client and resource APIs and its
managed transfers, asserting every answer; exits non-zero on the first
failed check.
"""

import base64
import hashlib
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(desc, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (desc, got, want))
    print("ok - " + desc)


def error_of(fn, *args, **kwargs):
    """Returns (code, HTTP status) of the ClientError fn raises."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        return (e.response["Error"]["Code"],
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    fail("%s did not fail" % getattr(fn, "__name__", fn))


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def multipart_etag(data, part):
    digests = b"".join(hashlib.md5(data[i:i + part]).digest()
                       for i in range(0, len(data), part))
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(),
                        (len(data) + part - 1) // part)


def check_objects(s3, bucket):
    body = b"hello from boto3\n"
    put = s3.put_object(Bucket=bucket, Key="dir/hello.txt", Body=body,
                        ContentType="text/x-test", Metadata={"colour": "blue"},
                        CacheControl="max-age=60")
    check("put_object ETag is the MD5", put["ETag"], '"%s"' % md5_hex(body))
    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    check("get_object body", got["Body"].read(), body)
    check("get_object ContentType", got["ContentType"], "text/x-test")
    check("get_object user metadata", got["Metadata"], {"colour": "blue"})
    check("get_object CacheControl", got["CacheControl"], "max-age=60")
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    check("head_object ContentLength", head["ContentLength"], len(body))
    check("head_object ETag", head["ETag"], put["ETag"])
    part = s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=6-9")
    check("ranged get_object", (part["Body"].read(), part["ContentRange"]),
          (b"from", "bytes 6-9/%d" % len(body)))
    odd = "odd key/ü +%?#&=.txt"
    s3.put_object(Bucket=bucket, Key=odd, Body=b"odd")
    check("key with space, umlaut, plus, percent, ?, #, &, =",
          s3.get_object(Bucket=bucket, Key=odd)["Body"].read(), b"odd")

    data = os.urandom(300000)
    put = s3.put_object(Bucket=bucket, Key="sums/sha256", Body=data,
                        ChecksumAlgorithm="SHA256")
    want = base64.b64encode(hashlib.sha256(data).digest()).decode()
    check("put_object with a SHA256 checksum", put.get("ChecksumSHA256"), want)
    head = s3.head_object(Bucket=bucket, Key="sums/sha256", ChecksumMode="ENABLED")
    check("head_object returns the stored SHA256", head.get("ChecksumSHA256"), want)

    s3.put_object_tagging(Bucket=bucket, Key="dir/hello.txt", Tagging={
        "TagSet": [{"Key": "env", "Value": "test"}]})
    tags = s3.get_object_tagging(Bucket=bucket, Key="dir/hello.txt")["TagSet"]
    check("object tagging round trip", tags, [{"Key": "env", "Value": "test"}])

    s3.delete_object(Bucket=bucket, Key="dir/hello.txt")
    check("head_object after delete_object",
          error_of(s3.head_object, Bucket=bucket, Key="dir/hello.txt"), ("404", 404))


def check_transfers(s3, bucket, workdir):
    cfg = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB,
                         max_concurrency=2)
    data = os.urandom(12 * MIB + 123)
    src = os.path.join(workdir, "big.bin")
    with open(src, "wb") as f:
        f.write(data)
    s3.upload_file(src, bucket, "big/one.bin", Config=cfg,
                   ExtraArgs={"Metadata": {"origin": "upload_file"}})
    head = s3.head_object(Bucket=bucket, Key="big/one.bin")
    check("upload_file made a 3-part multipart object", head["ETag"],
          multipart_etag(data, 5 * MIB))
    check("upload_file kept the metadata", head["Metadata"], {"origin": "upload_file"})
    dst = os.path.join(workdir, "big.down")
    s3.download_file(bucket, "big/one.bin", dst, Config=cfg)
    with open(dst, "rb") as f:
        check("download_file (ranged, parallel) is byte-exact",
              md5_hex(f.read()), md5_hex(data))
    part2 = s3.get_object(Bucket=bucket, Key="big/one.bin", PartNumber=2)
    check("get_object PartNumber=2", md5_hex(part2["Body"].read()),
          md5_hex(data[5 * MIB:10 * MIB]))

    # Managed copy above the threshold: UploadPartCopy with ranges.
    s3.copy({"Bucket": bucket, "Key": "big/one.bin"}, bucket, "big/copy.bin", Config=cfg)
    got = s3.get_object(Bucket=bucket, Key="big/copy.bin")
    check("managed copy (UploadPartCopy) is byte-exact", md5_hex(got["Body"].read()),
          md5_hex(data))
    check("managed copy has a multipart ETag", got["ETag"].endswith('-3"'), True)

    mp = s3.create_multipart_upload(Bucket=bucket, Key="big/manual.bin")
    uid = mp["UploadId"]
    p1 = s3.upload_part(Bucket=bucket, Key="big/manual.bin", UploadId=uid,
                        PartNumber=1, Body=data[:5 * MIB])
    p2 = s3.upload_part(Bucket=bucket, Key="big/manual.bin", UploadId=uid,
                        PartNumber=2, Body=data[5 * MIB:6 * MIB])
    parts = s3.list_parts(Bucket=bucket, Key="big/manual.bin", UploadId=uid)["Parts"]
    check("list_parts", [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts],
          [(1, 5 * MIB, p1["ETag"]), (2, MIB, p2["ETag"])])
    ups = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    check("list_multipart_uploads", [u["UploadId"] for u in ups], [uid])
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big/manual.bin", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1["ETag"]},
                                   {"PartNumber": 2, "ETag": p2["ETag"]}]})
    check("complete_multipart_upload ETag", done["ETag"],
          multipart_etag(data[:6 * MIB], 5 * MIB))
    check("upload of a wrong upload ID",
          error_of(s3.upload_part, Bucket=bucket, Key="big/manual.bin",
                   UploadId="no-such-upload", PartNumber=1, Body=b"x"),
          ("NoSuchUpload", 404))


def check_listing(s3, res, bucket):
    keys = ["list/%02d" % i for i in range(7)] + ["list/sub/a", "list/sub/b", "list/zz/c"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="list/", PaginationConfig={"PageSize": 3}))
    got = [o["Key"] for p in pages for o in p.get("Contents", [])]
    check("list_objects_v2 paginator returns every key in order", got, sorted(keys))
    check("list_objects_v2 paginator page count", len(pages), 4)
    top = s3.list_objects_v2(Bucket=bucket, Prefix="list/", Delimiter="/")
    check("list_objects_v2 CommonPrefixes",
          [p["Prefix"] for p in top["CommonPrefixes"]], ["list/sub/", "list/zz/"])
    check("list_objects_v2 KeyCount with a delimiter", top["KeyCount"], 9)
    v1 = [o.key for o in res.Bucket(bucket).objects.filter(Prefix="list/").page_size(4)]
    check("resource objects.filter (ListObjects V1 with markers)", v1, sorted(keys))

    out = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": k} for k in keys[:5]] + [{"Key": "list/never-existed"}]})
    check("delete_objects (verbose) reports every key",
          sorted(d["Key"] for d in out["Deleted"]), sorted(keys[:5] + ["list/never-existed"]))
    check("delete_objects (verbose) reports no error", out.get("Errors", []), [])
    out = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": k} for k in keys[5:]], "Quiet": True})
    check("delete_objects (quiet) lists nothing", (out.get("Deleted", []), out.get("Errors", [])), ([], []))
    left = s3.list_objects_v2(Bucket=bucket, Prefix="list/")
    check("delete_objects removed all keys", left["KeyCount"], 0)


def check_copy_and_presign(s3, bucket):
    s3.put_object(Bucket=bucket, Key="copy/src", Body=b"source", ContentType="text/a",
                  Metadata={"v": "1"})
    s3.copy_object(Bucket=bucket, Key="copy/same-meta", CopySource={"Bucket": bucket, "Key": "copy/src"})
    head = s3.head_object(Bucket=bucket, Key="copy/same-meta")
    check("copy_object COPY keeps metadata", (head["ContentType"], head["Metadata"]), ("text/a", {"v": "1"}))
    s3.copy_object(Bucket=bucket, Key="copy/new-meta", CopySource={"Bucket": bucket, "Key": "copy/src"},
                   MetadataDirective="REPLACE", ContentType="text/b", Metadata={"v": "2"})
    head = s3.head_object(Bucket=bucket, Key="copy/new-meta")
    check("copy_object REPLACE sets metadata", (head["ContentType"], head["Metadata"]), ("text/b", {"v": "2"}))
    check("copy_object of a missing source",
          error_of(s3.copy_object, Bucket=bucket, Key="copy/x",
                   CopySource={"Bucket": bucket, "Key": "copy/missing"}), ("NoSuchKey", 404))

    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "copy/src"}, ExpiresIn=300)
    with urllib.request.urlopen(url, timeout=10) as r:
        check("presigned GET fetched with urllib", (r.status, r.read()), (200, b"source"))
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "copy/presigned-put"},
                                    ExpiresIn=300)
    req = urllib.request.Request(url, data=b"put through a presigned URL", method="PUT")
    with urllib.request.urlopen(req, timeout=10) as r:
        check("presigned PUT with urllib", r.status, 200)
    check("presigned PUT stored the body",
          s3.get_object(Bucket=bucket, Key="copy/presigned-put")["Body"].read(), b"put through a presigned URL")
    sig = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["X-Amz-Signature"][0]
    bad = url.replace(sig, sig[:-1] + ("1" if sig[-1] == "0" else "0"))
    try:
        urllib.request.urlopen(urllib.request.Request(bad, data=b"x", method="PUT"), timeout=10)
        fail("presigned PUT with a damaged signature succeeded")
    except urllib.error.HTTPError as e:
        check("damaged presigned URL is refused", (e.code, b"SignatureDoesNotMatch" in e.read()), (403, True))


def check_errors(s3, bucket, endpoint, region):
    check("get_object of a missing key",
          error_of(s3.get_object, Bucket=bucket, Key="nope"), ("NoSuchKey", 404))
    check("get_object in a missing bucket",
          error_of(s3.get_object, Bucket=bucket + "-missing", Key="k"), ("NoSuchBucket", 404))
    check("list_objects_v2 of a missing bucket",
          error_of(s3.list_objects_v2, Bucket=bucket + "-missing"), ("NoSuchBucket", 404))
    check("create_bucket of an owned bucket",
          error_of(s3.create_bucket, Bucket=bucket), ("BucketAlreadyOwnedByYou", 409))
    check("create_bucket with an invalid name",
          error_of(s3.create_bucket, Bucket="Bad_Name"), ("InvalidBucketName", 400))
    check("delete_bucket of a non-empty bucket",
          error_of(s3.delete_bucket, Bucket=bucket), ("BucketNotEmpty", 409))
    wrong = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id="nobody-here",
        aws_secret_access_key="wrong-secret-key", config=client_config())
    check("unknown access key", error_of(wrong.list_buckets), ("InvalidAccessKeyId", 403))


def check_bucket_access(s3, bucket, endpoint):
    """Bucket CORS and bucket policy, and what they let browsers and
    anonymous callers do."""
    rules = [{"ID": "app", "AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
              "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    check("get_bucket_cors", s3.get_bucket_cors(Bucket=bucket)["CORSRules"], rules)
    preflight = urllib.request.Request("%s/%s/copy/src" % (endpoint, bucket), method="OPTIONS", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"})
    with urllib.request.urlopen(preflight, timeout=10) as r:
        check("a preflight the rule allows", (r.status, r.headers["Access-Control-Allow-Origin"]),
              (200, "https://app.example.com"))
    s3.delete_bucket_cors(Bucket=bucket)
    check("get_bucket_cors after delete_bucket_cors",
          error_of(s3.get_bucket_cors, Bucket=bucket), ("NoSuchCORSConfiguration", 404))

    url = "%s/%s/copy/src" % (endpoint, bucket)
    try:
        urllib.request.urlopen(url, timeout=10)
        fail("anonymous GET without a policy succeeded")
    except urllib.error.HTTPError as e:
        check("anonymous GET without a policy", e.code, 403)
    policy = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
              '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/copy/*"}]}' % bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    check("get_bucket_policy", s3.get_bucket_policy(Bucket=bucket)["Policy"], policy)
    check("get_bucket_policy_status",
          s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"], True)
    with urllib.request.urlopen(url, timeout=10) as r:
        check("anonymous GET the policy allows", (r.status, r.read()), (200, b"source"))
    check("put_bucket_policy naming another bucket",
          error_of(s3.put_bucket_policy, Bucket=bucket, Policy=policy.replace(bucket, bucket + "-other")),
          ("MalformedPolicy", 400))
    s3.delete_bucket_policy(Bucket=bucket)
    check("get_bucket_policy after delete_bucket_policy",
          error_of(s3.get_bucket_policy, Bucket=bucket), ("NoSuchBucketPolicy", 404))


def check_acls(s3, bucket, endpoint):
    """Canned ACLs, grants, object ownership and the public access block,
    with anonymous reads through urllib."""
    b = bucket + "-acl"
    s3.create_bucket(Bucket=b, ObjectOwnership="ObjectWriter")
    check("get_bucket_ownership_controls",
          s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"],
          [{"ObjectOwnership": "ObjectWriter"}])
    s3.put_object(Bucket=b, Key="pub", Body=b"public", ACL="public-read")
    owner = s3.list_buckets()["Owner"]["ID"]
    acl = s3.get_object_acl(Bucket=b, Key="pub")
    grants = sorted((g["Grantee"]["Type"], g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"])
                    for g in acl["Grants"])
    check("get_object_acl of a public-read object", (acl["Owner"]["ID"], grants),
          (owner, sorted([("CanonicalUser", owner, "FULL_CONTROL"),
                          ("Group", "http://acs.amazonaws.com/groups/global/AllUsers", "READ")])))
    url = "%s/%s/pub" % (endpoint, b)
    with urllib.request.urlopen(url, timeout=10) as r:
        check("anonymous GET of a public-read object", (r.status, r.read()), (200, b"public"))
    s3.put_object_acl(Bucket=b, Key="pub", ACL="private")
    try:
        urllib.request.urlopen(url, timeout=10)
        fail("anonymous GET of a private object succeeded")
    except urllib.error.HTTPError as e:
        check("anonymous GET after put_object_acl private", e.code, 403)
    check("put_object_acl with an unknown canned ACL",
          error_of(s3.put_object_acl, Bucket=b, Key="pub", ACL="public-everything"), ("InvalidArgument", 400))
    s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    check("put_object public-read under BlockPublicAcls",
          error_of(s3.put_object, Bucket=b, Key="blocked", Body=b"x", ACL="public-read"), ("AccessDenied", 403))
    s3.delete_public_access_block(Bucket=b)
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    check("get_bucket_policy_status of a public-read bucket",
          s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"], True)
    s3.put_bucket_acl(Bucket=b, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    check("put_object_acl public-read with ACLs disabled",
          error_of(s3.put_object_acl, Bucket=b, Key="pub", ACL="public-read"), ("AccessControlListNotSupported", 400))
    s3.delete_object(Bucket=b, Key="pub")
    s3.delete_bucket(Bucket=b)


def check_refusals(s3, bucket):
    """Requests for guarantees Hoard does not provide are refused, and
    nothing is stored: the cases of the report that found them answered
    200 and silently not honoured."""
    key = os.urandom(32)
    check("put_object with SSE-C is refused",
          error_of(s3.put_object, Bucket=bucket, Key="ssec", Body=b"secret",
                   SSECustomerAlgorithm="AES256", SSECustomerKey=key), ("NotImplemented", 501))
    for sse in ("AES256", "aws:kms"):
        check("put_object with ServerSideEncryption=%s is refused" % sse,
              error_of(s3.put_object, Bucket=bucket, Key="sse", Body=b"x", ServerSideEncryption=sse),
              ("NotImplemented", 501))
    check("put_object with a COMPLIANCE lock and legal hold into a bucket without lock is refused",
          error_of(s3.put_object, Bucket=bucket, Key="locked", Body=b"x", ObjectLockMode="COMPLIANCE",
                   ObjectLockRetainUntilDate="2030-01-01T00:00:00Z", ObjectLockLegalHoldStatus="ON"),
          ("InvalidRequest", 400))
    check("create_bucket with ACL=public-read is refused",
          error_of(s3.create_bucket, Bucket=bucket + "-public", ACL="public-read"),
          ("InvalidBucketAclWithObjectOwnership", 400))
    check("create_bucket with a grant is refused",
          error_of(s3.create_bucket, Bucket=bucket + "-grant",
                   GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'),
          ("InvalidBucketAclWithObjectOwnership", 400))
    check("put_object with ACL=public-read is refused",
          error_of(s3.put_object, Bucket=bucket, Key="public", Body=b"x", ACL="public-read"),
          ("AccessControlListNotSupported", 400))
    for k in ("ssec", "sse", "locked", "public"):
        check("nothing stored under %s" % k, error_of(s3.head_object, Bucket=bucket, Key=k), ("404", 404))
    for b in (bucket + "-public", bucket + "-grant"):
        check("no bucket %s" % b, error_of(s3.head_bucket, Bucket=b), ("404", 404))
    s3.put_object(Bucket=bucket, Key="private", Body=b"x", ACL="private")
    s3.put_object(Bucket=bucket, Key="owner-full", Body=b"x", ACL="bucket-owner-full-control")
    check("harmless ACLs still store", s3.head_object(Bucket=bucket, Key="owner-full")["ContentLength"], 1)


def check_object_lock(s3, bucket):
    """A bucket with object lock: its configuration, a locked version that
    cannot be deleted, retention and legal hold read back and changed."""
    lb = bucket + "-lock"
    s3.create_bucket(Bucket=lb, ObjectLockEnabledForBucket=True)
    check("object lock turns versioning on", s3.get_bucket_versioning(Bucket=lb)["Status"], "Enabled")
    s3.put_object_lock_configuration(Bucket=lb, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    rule = s3.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]["Rule"]
    check("default retention read back", rule["DefaultRetention"], {"Mode": "GOVERNANCE", "Days": 1})
    check("suspending versioning is refused",
          error_of(s3.put_bucket_versioning, Bucket=lb, VersioningConfiguration={"Status": "Suspended"}),
          ("InvalidBucketState", 409))
    v = s3.put_object(Bucket=lb, Key="k", Body=b"locked", ChecksumAlgorithm="CRC32",
                      ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate="2099-01-01T00:00:00Z")["VersionId"]
    head = s3.head_object(Bucket=lb, Key="k", VersionId=v)
    check("head_object shows the retention", head["ObjectLockMode"], "COMPLIANCE")
    check("a compliance version cannot be deleted",
          error_of(s3.delete_object, Bucket=lb, Key="k", VersionId=v, BypassGovernanceRetention=True),
          ("AccessDenied", 403))
    d = s3.put_object(Bucket=lb, Key="d", Body=b"default", ChecksumAlgorithm="CRC32")["VersionId"]
    check("the default retention applies",
          s3.get_object_retention(Bucket=lb, Key="d", VersionId=d)["Retention"]["Mode"], "GOVERNANCE")
    s3.put_object_legal_hold(Bucket=lb, Key="d", VersionId=d, LegalHold={"Status": "ON"})
    check("legal hold read back",
          s3.get_object_legal_hold(Bucket=lb, Key="d", VersionId=d)["LegalHold"]["Status"], "ON")
    check("a held version cannot be deleted, not even with bypass",
          error_of(s3.delete_object, Bucket=lb, Key="d", VersionId=d, BypassGovernanceRetention=True),
          ("AccessDenied", 403))
    s3.put_object_legal_hold(Bucket=lb, Key="d", VersionId=d, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=lb, Key="d", VersionId=d, BypassGovernanceRetention=True)
    check("with the hold off, bypass deletes a governance version",
          error_of(s3.head_object, Bucket=lb, Key="d", VersionId=d), ("404", 404))


def check_versioning(s3, res, bucket):
    """Versioned puts, list_object_versions, a delete marker, gets by version."""
    vb = bucket + "-versions"
    s3.create_bucket(Bucket=vb)
    check("get_bucket_versioning of a new bucket has no Status",
          s3.get_bucket_versioning(Bucket=vb).get("Status"), None)
    s3.put_bucket_versioning(Bucket=vb, VersioningConfiguration={"Status": "Enabled"})
    check("get_bucket_versioning after enabling",
          s3.get_bucket_versioning(Bucket=vb).get("Status"), "Enabled")
    ids = [s3.put_object(Bucket=vb, Key="doc", Body=b"v%d" % i)["VersionId"] for i in range(3)]
    check("versioned puts get distinct version IDs", len(set(ids)), 3)
    check("no version ID is null", "null" in ids, False)
    for i, vid in enumerate(ids):
        got = s3.get_object(Bucket=vb, Key="doc", VersionId=vid)
        check("get_object VersionId %d" % i, (got["Body"].read(), got["VersionId"]), (b"v%d" % i, vid))
    listed = s3.list_object_versions(Bucket=vb)
    check("list_object_versions newest first",
          [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]],
          [(ids[2], True), (ids[1], False), (ids[0], False)])
    dm = s3.delete_object(Bucket=vb, Key="doc")
    check("delete_object adds a delete marker", dm.get("DeleteMarker"), True)
    check("get_object of a deleted key", error_of(s3.get_object, Bucket=vb, Key="doc"), ("NoSuchKey", 404))
    check("get_object of the delete marker by version",
          error_of(s3.get_object, Bucket=vb, Key="doc", VersionId=dm["VersionId"]), ("MethodNotAllowed", 405))
    check("head_object of the delete marker by version",
          error_of(s3.head_object, Bucket=vb, Key="doc", VersionId=dm["VersionId"]), ("405", 405))
    listed = s3.list_object_versions(Bucket=vb)
    check("list_object_versions shows the marker as latest",
          [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]], [(dm["VersionId"], True)])
    check("list_objects_v2 hides the deleted key", s3.list_objects_v2(Bucket=vb)["KeyCount"], 0)
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=vb, PaginationConfig={"PageSize": 1})
    seen = [v["VersionId"] for p in pages for v in p.get("Versions", []) + p.get("DeleteMarkers", [])]
    check("list_object_versions paginator (one per page) sees all", sorted(seen), sorted(ids + [dm["VersionId"]]))
    gone = s3.delete_object(Bucket=vb, Key="doc", VersionId=dm["VersionId"])
    check("delete_object of the marker by version", (gone.get("DeleteMarker"), gone.get("VersionId")),
          (True, dm["VersionId"]))
    check("the newest version is back", s3.get_object(Bucket=vb, Key="doc")["Body"].read(), b"v2")
    s3.put_bucket_versioning(Bucket=vb, VersioningConfiguration={"Status": "Suspended"})
    check("put_object in a suspended bucket makes the null version",
          s3.put_object(Bucket=vb, Key="doc", Body=b"null")["VersionId"], "null")
    check("get_object VersionId=null", s3.get_object(Bucket=vb, Key="doc", VersionId="null")["Body"].read(), b"null")
    res.Bucket(vb).object_versions.delete()
    check("object_versions.delete() removed every version",
          s3.list_object_versions(Bucket=vb).get("Versions", []), [])
    s3.delete_bucket(Bucket=vb)


def client_config():
    return Config(signature_version="s3v4", s3={"addressing_style": "path"},
                  retries={"max_attempts": 1, "mode": "standard"},
                  connect_timeout=10, read_timeout=60)


def main():
    endpoint, access, secret, region, workdir = sys.argv[1:6]
    session = boto3.session.Session(aws_access_key_id=access, aws_secret_access_key=secret,
                                    region_name=region)
    s3 = session.client("s3", endpoint_url=endpoint, config=client_config())
    res = session.resource("s3", endpoint_url=endpoint, config=client_config())
    bucket = "boto3-%d" % time.time_ns()

    s3.create_bucket(Bucket=bucket)
    check("head_bucket of the new bucket",
          s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"], 200)
    check("list_buckets shows it", bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]], True)
    loc = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    check("get_bucket_location (us-east-1 is reported as null)", loc, None)

    check_objects(s3, bucket)
    check_transfers(s3, bucket, workdir)
    check_listing(s3, res, bucket)
    check_copy_and_presign(s3, bucket)
    check_errors(s3, bucket, endpoint, region)
    check_bucket_access(s3, bucket, endpoint)
    check_acls(s3, bucket, endpoint)
    check_refusals(s3, bucket)
    check_versioning(s3, res, bucket)
    check_object_lock(s3, bucket)

    res.Bucket(bucket).objects.all().delete()
    s3.delete_bucket(Bucket=bucket)
    check("head_bucket after delete_bucket", error_of(s3.head_bucket, Bucket=bucket), ("404", 404))
    print("PASS: boto3 %s (botocore %s, Python %s)" % (
        boto3.__version__, botocore.__version__, sys.version.split()[0]))


if __name__ == "__main__":
    main()
