"""Demo-only reference data: made-up agency identification codes, always marked as demo."""

from __future__ import annotations

from cchc.organizations.models import Agency


def give_demo_codes() -> int:
    """Give every agency without an electronic identification code a made-up one (R-CODE).

    Real codes (Decision 20/2020/QĐ-TTg) are entered by an administrator; these exist only so
    that a demo or a generated workload can number dossiers, and are flagged as demo.
    """
    count = 0
    for agency in Agency.objects.filter(eid_code=""):
        agency.eid_code = f"000.00.{agency.pk // 100:02d}.D{agency.pk % 100:02d}"
        agency.eid_code_is_demo = True
        agency.save(update_fields=["eid_code", "eid_code_is_demo"])
        count += 1
    return count
