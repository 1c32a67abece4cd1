"""A dossier received with a scan of every document, for the tests of the file stores."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.dossiers import services as s
from cchc.dossiers.testing import PDF_BYTES, at, build_world, version


def received_with_scans() -> tuple[Any, Any, int]:
    """(the world, the dossier, how many scans it holds)."""
    world = build_world()
    v = version("1.004873", at("2026-11-23 09:00").date())
    docs = [
        s.DocumentInput(doc.name, doc.pk, 1, 0, True, SimpleUploadedFile("ban-quet.pdf", PDF_BYTES))
        for doc in v.documents.all()
    ]
    d = s.start_dossier(
        version=v, desk=world.commune_desk, applicant=world.applicant(), channel="in_person",
        documents=docs, actor=world.receptionist, at=at("2026-11-23 09:00"),
    )  # fmt: skip
    s.receive(d, actor=world.receptionist, at=at("2026-11-23 09:05"))
    return world, d, len(docs)
