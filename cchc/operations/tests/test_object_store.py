"""Growing past one machine (issue 19): with CCHC_S3_BUCKET the stored files live on an
S3-compatible object store (django-storages), so that any web node serves any file. Tested
against moto's S3 server on loopback: a reception's scans land in the bucket, leave only
through the scoped view, readiness checks the store, and (PostgreSQL) a backup taken from one
bucket restores whole into another by a separate process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from cchc.dossiers.models import DossierDocument
from cchc.dossiers.testing import PDF_BYTES

from .scans import received_with_scans

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
ROOT = Path(__file__).resolve().parents[3]
KEYS = {"access_key": "cchc-test", "secret_key": "cchc-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def bucket(endpoint: str) -> tuple[str, Any]:
    name = f"cchc-{uuid.uuid4().hex[:8]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=name)
    return name, client


def object_store(endpoint: str, name: str) -> dict[str, Any]:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "default_acl": "private",
                "file_overwrite": False,
                **KEYS,
            },
        },
    }


@pytest.mark.django_db
def test_scans_live_in_the_bucket_and_leave_only_through_the_scoped_view(
    reference_data, s3_endpoint, client
):
    name, s3 = bucket(s3_endpoint)
    with override_settings(STORAGES=object_store(s3_endpoint, name)):
        world, d, _count = received_with_scans()
        stored = [doc for doc in DossierDocument.objects.filter(dossier=d) if doc.file]
        assert stored
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])}
        assert {doc.file.name for doc in stored} <= keys
        assert not (Path(settings.MEDIA_ROOT) / stored[0].file.name).exists()  # not on disk
        url = reverse("dossiers:document", args=[d.pk, stored[0].pk])
        assert client.get(url).status_code in (302, 403, 404)  # anonymous: no
        client.force_login(world.receptionist)
        got = client.get(url)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF_BYTES
        ready = client.get("/suc-khoe/san-sang/", headers={"accept": "application/json"})
        assert ready.status_code == 200, ready.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="backups are of the production database, PostgreSQL",
)
def test_a_backup_from_one_bucket_restores_whole_into_another(
    reference_data, s3_endpoint, tmp_path
):
    source, _ = bucket(s3_endpoint)
    target, s3 = bucket(s3_endpoint)
    with override_settings(STORAGES=object_store(s3_endpoint, source)):
        received_with_scans()
        out = tmp_path / "backup"
        call_command("backup", "--to", str(out), stdout=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["sha256"]
    db_name = f"cchc_restore_{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    base = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {db_name}")
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"{base}/{db_name}",
            "CCHC_S3_BUCKET": target,
            "CCHC_S3_ENDPOINT_URL": s3_endpoint,
            "CCHC_S3_REGION": "us-east-1",
            "CCHC_S3_ACCESS_KEY": KEYS["access_key"],
            "CCHC_S3_SECRET_KEY": KEYS["secret_key"],
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", "--from", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().endswith("0 problems")
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=target).get("Contents", [])}
        assert keys == set(manifest["files"]["sha256"])
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


def test_check_deploy_asks_for_a_shared_cache_when_each_process_keeps_its_own(settings):
    from cchc.operations.checks import shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache(None)] == ["cchc.W201"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert shared_cache(None) == []
