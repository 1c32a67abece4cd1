"""A dossier's stored files are served with their detected type, never sniffed (issue 15)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.tests.test_uploads import PLAIN_PDF


def upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.django_db
def test_a_stored_scan_is_served_with_its_detected_type_and_nosniff(client, world):
    from cchc.dossiers import services as s
    from cchc.dossiers.testing import at, version

    v = version("1.004873", at("2026-11-23 09:00").date())
    d = s.start_dossier(
        version=v,
        desk=world.commune_desk,
        applicant=world.applicant(),
        channel="in_person",
        documents=[
            s.DocumentInput(
                "Tờ khai", v.documents.first().pk, 1, 0, True, upload("tờ khai.pdf", PLAIN_PDF)
            )
        ],
        actor=world.receptionist,
        at=at("2026-11-23 09:00"),
    )
    doc = d.documents.get()
    assert doc.file.name.endswith(".pdf") and "khai" not in doc.file.name
    client.force_login(world.receptionist)
    r = client.get(f"/ho-so/{d.pk}/giay-to/{doc.pk}/")
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("inline")
    assert b"".join(r.streaming_content) == PLAIN_PDF
