"""Media on S3-compatible storage (docs/deploy.md "Scale-out"), against moto's
in-memory S3: the settings' S3Storage options store a private file, a second file
of the same name does not overwrite the first, and the portal's private-file
answer streams the bytes from the bucket (never a public URL)."""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings
from moto import mock_aws

from core.files import private_file_response

BUCKET = "portal-media"
S3 = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": BUCKET,
        "access_key": "test",
        "secret_key": "test",
        "region_name": "us-east-1",
        "addressing_style": "path",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    },
}


@pytest.fixture
def bucket(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        with override_settings(STORAGES={**settings.STORAGES, "default": S3}):
            yield client


class _Field:
    """The two things private_file_response reads of a FieldFile."""

    def __init__(self, name):
        self.name = name

    def __bool__(self):
        return True

    def open(self, mode):
        return storages["default"].open(self.name, mode)


def test_a_file_lands_in_the_bucket_and_keeps_its_first_version(bucket):
    storage = storages["default"]
    first = storage.save("exports/report.xlsx", ContentFile(b"first"))
    second = storage.save("exports/report.xlsx", ContentFile(b"second"))
    assert first == "exports/report.xlsx" and second != first
    keys = {o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {first, second}
    assert bucket.get_object(Bucket=BUCKET, Key=first)["Body"].read() == b"first"
    # private: a URL is signed and expires, the bucket's own policy decides (no ACL)
    assert "Signature" in storage.url(first) or "X-Amz-Signature" in storage.url(first)


def test_the_private_file_answer_streams_from_the_bucket(bucket, settings):
    settings.PRIVATE_FILES_ACCEL_PREFIX = ""
    name = storages["default"].save("imports/名单.xlsx", ContentFile(b"PK\x03\x04data"))
    response = private_file_response(_Field(name))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04data"
    assert "attachment" in response["Content-Disposition"]
