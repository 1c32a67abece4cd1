"""Backup and restore as a drill: a consistent PostgreSQL dump and the stored files, with a
manifest that proves the restore (row counts and the audit chains' heads taken in the dump's
own snapshot, a SHA-256 for every file)."""

from __future__ import annotations

import hashlib
import json
import posixpath
import subprocess
import tarfile
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from cchc.core.audit import anchor_from_json, anchor_to_json, make_anchor, verify_chains

DUMP, FILES, MANIFEST = "database.dump", "files.tar.gz", "manifest.json"


class BackupError(Exception):
    pass


def _dsn() -> str:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("backup and restore work on PostgreSQL (the production database)")
    parts = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _digest(handle)


def _names(folder: str = "") -> list[str]:
    """Every stored file, through the storage API: the MEDIA_ROOT folder or an object store
    (S3-compatible, several web nodes) alike."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # no file stored yet
        return []
    names = [posixpath.join(folder, name) for name in files]
    for sub in folders:
        names += _names(posixpath.join(folder, sub))
    return sorted(names)


def _files() -> dict[str, str]:
    checksums = {}
    for name in _names():
        with default_storage.open(name, "rb") as handle:
            checksums[name] = _digest(handle)
    return checksums


def backup(target: Path) -> dict[str, Any]:
    """Write the dump, the files and the manifest into the empty folder `target`."""
    dsn = _dsn()
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    # One snapshot for everything the manifest says of the database: pg_dump reads the
    # snapshot this transaction exported, while the counts and the anchor are taken in it.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={target / DUMP}", dsn],
            check=True,
        )  # fmt: skip
        counts = _counts()
        anchor = anchor_to_json(make_anchor())
    files = _files()
    with tarfile.open(target / FILES, "w:gz") as archive:
        for name in files:
            info = tarfile.TarInfo(name)
            info.size = default_storage.size(name)
            with default_storage.open(name, "rb") as handle:
                archive.addfile(info, handle)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": {"dump": DUMP, "sha256": _sha256(target / DUMP), "rows": counts},
        "files": {"archive": FILES, "sha256": files},
        "audit_anchor": anchor,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def restore(source: Path) -> list[str]:
    """Bring a backup up in the (empty) default database and file store; then compare it with
    its manifest. The differences, in words (none: the restore is whole)."""
    dsn = _dsn()
    manifest = json.loads((source / MANIFEST).read_text())
    if _sha256(source / DUMP) != manifest["database"]["sha256"]:
        return ["the dump's checksum differs from the manifest: the backup is damaged"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0]:
            raise BackupError("the database is not empty: restore into a new, empty database")
    connection.close()
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={dsn}", str(source / DUMP)],
        check=True,
    )
    with tarfile.open(source / FILES, "r:gz") as archive:
        for member in archive:
            # no links, no absolute or ../ names
            member = tarfile.data_filter(member, "/restore")
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            if default_storage.save(member.name, File(handle)) != member.name:
                raise BackupError(f"{member.name}: the file store is not empty")
    return verify(manifest)


def verify(manifest: dict[str, Any]) -> list[str]:
    problems = []
    counts = _counts()
    for label, rows in manifest["database"]["rows"].items():
        if counts.get(label) != rows:
            problems.append(f"{label}: {counts.get(label)} rows, the backup had {rows}")
    files = _files()
    for name, digest in manifest["files"]["sha256"].items():
        if files.get(name) != digest:
            problems.append(f"file {name}: missing or changed")
    anchor = anchor_from_json(manifest["audit_anchor"], "backup")
    problems += [f"audit: {p.chain_key} {p.message}" for p in verify_chains([anchor])]
    return problems
