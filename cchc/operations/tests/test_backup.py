"""Backup and restore as a drill (issue 19), on PostgreSQL: a backup taken while the system
holds dossiers, their scans and their audit chains comes back whole in an empty database and
file store — the same rows, the same files byte for byte, and the audit chains verified
against the heads recorded at backup time."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from cchc.dossiers.models import Dossier, DossierDocument
from cchc.dossiers.testing import build_world

from .scans import received_with_scans

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="backups are of the production database, PostgreSQL",
    ),
]


def psql(*sql: str) -> None:
    for statement in sql:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", statement],
            check=True,
        )


def test_a_backup_restores_whole_into_an_empty_database(reference_data, tmp_path):
    received_with_scans()
    scanned = DossierDocument.objects.exclude(file="").count()
    assert scanned > 0
    out = tmp_path / "backup"
    call_command("backup", "--to", str(out), stdout=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["database"]["rows"]["dossiers.dossier"] == Dossier.objects.count()
    assert len(manifest["files"]["sha256"]) >= scanned
    name = f"cchc_restore_{uuid.uuid4().hex[:8]}"
    psql(f"CREATE DATABASE {name}")
    try:
        db = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{name}",
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", "--from", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().endswith("0 problems")
        for relative, digest in manifest["files"]["sha256"].items():
            restored = tmp_path / "restored-media" / relative
            assert hashlib.sha256(restored.read_bytes()).hexdigest() == digest
        # a restore refuses a database that is not empty
        again = subprocess.run(
            [sys.executable, "manage.py", "restore", "--from", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        connection.close()
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_damaged_backup_is_caught(reference_data, tmp_path):
    build_world()
    out = tmp_path / "backup"
    call_command("backup", "--to", str(out), stdout=io.StringIO())
    with (out / "database.dump").open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\0\0\0\0")
    from cchc.operations.backup import restore

    assert "damaged" in restore(out)[0]
