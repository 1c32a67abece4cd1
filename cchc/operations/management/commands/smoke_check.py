"""Walk a running installation (a test or staging one: it files a dossier) through its front
door (nginx, TLS) as a desk officer and as the public would: sign in, receive a dossier with a
scan, download its receipt and the scan (sent by nginx from the protected store), look it up
with the receipt's code, find the stored files refused to anyone who asks nginx for them
directly, and the lookup limit enforced across every web node (a shared cache). It ends by
blocking lookups from its own address for ten minutes. deploy/deploy-check runs it."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.accounts.models import Membership, User
from cchc.dossiers.demo import give_demo_codes
from cchc.dossiers.models import Dossier
from cchc.organizations.constants import DeskKind
from cchc.organizations.models import Desk
from cchc.procedures.models import ProcedureVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Command(BaseCommand):
    help = "Smoke-test a running installation through its public address."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", required=True, help="e.g. https://127.0.0.1:8443")
        parser.add_argument("--ca", default="", help="the certificate to trust (self-signed)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.base = options["base"].rstrip("/")
        self.verify: bool | str = options["ca"] or True
        today = timezone.localdate()
        desk = (
            Desk.objects.on(today)
            .filter(kind=DeskKind.COMMUNE_CENTER)
            .select_related("area")
            .order_by("pk")
            .first()
        )
        version = (
            ProcedureVersion.objects.in_force_at()
            .filter(procedure__code="1.004873")
            .select_related("procedure")
            .first()
        )
        if desk is None or version is None:
            raise CommandError("no reference data: run load_reference_data first")
        if not desk.agency.eid_code:  # a fresh installation: the demo's electronic ID codes
            give_demo_codes()
            desk = Desk.objects.select_related("area", "agency").get(pk=desk.pk)
        user, _created = User.objects.get_or_create(
            username="kiem-tra-trien-khai", defaults={"full_name": "Kiểm tra triển khai"}
        )
        password = secrets.token_urlsafe(18)  # known to this run only; locked at the end
        user.set_password(password)
        user.is_active = True
        user.save()
        Membership.objects.get_or_create(
            user=user, agency=desk.agency, desk=desk, role=Role.RECEPTIONIST
        )
        s = requests.Session()
        s.verify = self.verify

        # 1. sign in (CSRF, through the proxy's HTTPS)
        self.get(s, "/dang-nhap/")
        answer = self.post(
            s,
            "/dang-nhap/",
            {"username": user.username, "password": password, "next": "/"},
        )
        self.expect(answer.url.rstrip("/") != self.base + "/dang-nhap", "sign-in")
        # 2. receive a dossier with a scan
        documents = list(version.documents.all())
        form: dict[str, Any] = {
            "version": version.pk,
            "desk": desk.pk,
            "applicant_kind": "citizen",
            "name": "Kiểm Tra Triển Khai",
            "id_number": "014190009999",
            "area": desk.area_id,
            "channel": "in_person",
            "sets": 1,
            "return_method": "desk",
            "outcome": "receive",
            "documents": [str(d.pk) for d in documents],
        }
        files = {f"file-{documents[0].pk}": ("ban-quet.pdf", PDF, "application/pdf")}
        answer = self.post(s, "/ho-so/tiep-nhan/", form, files=files)
        match = re.search(r"/ho-so/(\d+)/$", answer.url)
        self.expect(match is not None, f"reception (ended at {answer.url})")
        d = Dossier.objects.get(pk=int(match.group(1)))  # type: ignore[union-attr]
        self.expect(d.status == "in_progress" and bool(d.code), "dossier received")
        # 3. its receipt, and the scan sent by nginx from the protected store
        receipt = d.forms.order_by("pk").first()
        self.expect(receipt is not None, "receipt issued")
        pdf = self.get(s, f"/ho-so/{d.pk}/bieu-mau/{receipt.pk}.pdf")  # type: ignore[union-attr]
        self.expect(pdf.content.startswith(b"%PDF"), "receipt PDF")
        scan = d.documents.exclude(file="").first()
        self.expect(scan is not None, "scan stored")
        got = self.get(s, f"/ho-so/{d.pk}/giay-to/{scan.pk}/")  # type: ignore[union-attr]
        self.expect(got.content == PDF, "scan through X-Accel-Redirect")
        # 4. the public lookup with the code and secret printed on the receipt
        public = requests.Session()
        public.verify = self.verify
        self.get(public, "/tra-cuu/")
        found = self.post(public, "/tra-cuu/", {"ma": d.code, "mk": d.lookup_secret})
        self.expect(d.code in found.text and "Đang giải quyết" in found.text, "public lookup")
        # 5. the stored files are not reachable around the application
        for path in (f"/protected-media/{scan.file.name}", f"/media/{scan.file.name}"):  # type: ignore[union-attr]
            refused = public.get(
                urljoin(self.base, path), allow_redirects=False, verify=self.verify
            )
            self.expect(refused.status_code == 404, f"{path} refused ({refused.status_code})")
        anonymous = public.get(
            urljoin(self.base, f"/ho-so/{d.pk}/giay-to/{scan.pk}/"),  # type: ignore[union-attr]
            allow_redirects=False,
            verify=self.verify,
        )
        self.expect(anonymous.status_code in (302, 403, 404), "scan refused anonymously")
        # 6. several web nodes share one cache: the lookup limit counts every node's failures
        guesser = requests.Session()
        guesser.verify = self.verify
        self.get(guesser, "/tra-cuu/")
        for n in range(settings.CCHC_LOOKUP_LIMIT):
            self.post(guesser, "/tra-cuu/", {"ma": f"{d.code}-X{n}", "mk": "SAI00000"})
        blocked = guesser.post(
            urljoin(self.base, "/tra-cuu/"),
            data={
                "ma": d.code,
                "mk": "SAI00000",
                "csrfmiddlewaretoken": guesser.cookies.get("csrftoken", ""),
            },
            headers={"Referer": urljoin(self.base, "/tra-cuu/")},
            timeout=30,
            verify=self.verify,
        )
        self.expect(
            blocked.status_code == 429,
            f"lookup limit shared by every web node ({blocked.status_code} after "
            f"{settings.CCHC_LOOKUP_LIMIT} failures)",
        )
        User.objects.filter(pk=user.pk).update(is_active=False)
        self.stdout.write(f"OK: {d.code} received, receipt and scan downloaded, lookup answered")

    def get(self, s: requests.Session, path: str) -> requests.Response:
        answer = s.get(urljoin(self.base, path), timeout=30, verify=self.verify)
        self.expect(answer.status_code == 200, f"GET {path} → {answer.status_code}")
        return answer

    def post(
        self, s: requests.Session, path: str, data: dict[str, Any], files: Any = None
    ) -> requests.Response:
        token = s.cookies.get("csrftoken", "")
        answer = s.post(
            urljoin(self.base, path),
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"Referer": urljoin(self.base, path)},
            timeout=60,
            verify=self.verify,
        )
        said = re.findall(
            r'class="(?:text-danger small|alert alert-danger)"[^>]*>([^<]+)', answer.text
        )
        self.expect(answer.status_code == 200, f"POST {path} → {answer.status_code} {said}")
        return answer

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            raise CommandError(f"smoke check failed: {what}")
        self.stdout.write(f"  ✓ {what}")
