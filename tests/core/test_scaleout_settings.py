"""The scale-out switches of config/settings.py (docs/deploy.md "Scale-out"):
DATABASE_REPLICA_URL adds the replica alias and its router, S3_BUCKET puts media
on S3-compatible storage (django-storages). Each case reads the settings in a
fresh process with its own environment."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS, "
    "'replica': s.DATABASES.get('replica'), 'storage': s.STORAGES['default']}, default=str))"
)
SCALE_OUT = {"DATABASE_REPLICA_URL", "S3_BUCKET", "S3_ENDPOINT_URL", "DJANGO_SETTINGS_MODULE"}


def settings_with(**env):
    base = {k: v for k, v in os.environ.items() if k not in SCALE_OUT}
    base.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_nothing_set_is_one_database_and_local_media():
    done = settings_with()
    read = json.loads(done.stdout)
    assert read["aliases"] == ["default"] and read["routers"] == []
    assert read["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_replica_url_adds_the_replica_alias_and_its_router():
    done = settings_with(
        DATABASE_URL="postgres://portal@db:5432/portal",
        DATABASE_REPLICA_URL="postgres://reader@replica:5432/portal",
    )
    read = json.loads(done.stdout)
    assert read["aliases"] == ["default", "replica"]
    assert read["routers"] == ["core.replica.ReplicaRouter"]
    replica = read["replica"]
    assert (replica["HOST"], replica["USER"]) == ("replica", "reader")
    assert replica["TEST"]["MIRROR"] == "default"  # tests never create a second database
    assert replica["OPTIONS"]["options"] == "-c jit=off"  # as the primary's


def test_an_s3_bucket_puts_media_on_object_storage():
    done = settings_with(S3_BUCKET="portal-media", S3_ENDPOINT_URL="http://minio:9000")
    if importlib.util.find_spec("storages") is None:
        # Not in this environment's lock: the switch refuses to start half-way.
        assert done.returncode != 0
        assert "django-storages[s3]" in done.stderr
        pytest.skip("django-storages is not installed: only the guard is tested")
    storage = json.loads(done.stdout)["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "portal-media"
    assert storage["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert storage["OPTIONS"]["querystring_auth"] and storage["OPTIONS"]["default_acl"] is None
