"""Issue 15: every page × every persona, generated from the URL conf.

Each route with a parameter is filled with an object *outside* every scoped persona's scope
(another commune's dossier, another citizen's draft, another agency's assessment…). A
persona not listed as allowed for the route must not get it (2xx): a redirect, 403, 404 or
405 is expected; nobody, allowed or not, may get a 500. A route that is not in `ROUTES`
fails the test, so that a new page cannot escape the matrix. The API has its own matrix:
schemathesis in `.ci/schemathesis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cchc.accounts.models import AccountKind, User
from cchc.accounts.services import issue_api_token
from cchc.dossiers.testing import PDF_BYTES, version

pytestmark = pytest.mark.django_db

ANON, CITIZEN = "anonymous", "citizen"
SCOPED = ("receptionist", "specialist", "leader", "dept_specialist", "dept_leader", "supervisor")
OFFICIALS = frozenset((*SCOPED, "reform_officer", "superuser"))
PUBLIC = frozenset((ANON, CITIZEN, *OFFICIALS))
SIGNED_IN = frozenset((CITIZEN, *OFFICIALS))
OFFICE = frozenset(("reform_officer", "superuser"))
SUPER = frozenset(("superuser",))
NOBODY: frozenset[str] = frozenset()
SKIP_PREFIXES = ("api/v1/", "quan-tri/", "i18n/", "_bench/", "static/")

# route name → who may get it (2xx) with the other scope's objects filled in.
ROUTES: dict[str, frozenset[str]] = {
    "home": SIGNED_IN | {ANON},  # a redirect for the anonymous, a page for the signed in
    "login": PUBLIC,
    "logout": NOBODY,
    "password_change": SIGNED_IN,
    "healthz": PUBLIC,
    "lookup": PUBLIC,
    "lookup_result": NOBODY,  # the code and secret of someone else's dossier are not known
    "survey_link": NOBODY,
    "verify": NOBODY,  # a token that is not ours: 404 for everyone
    "verify_any": PUBLIC,
    "api_not_found": NOBODY,
    "accounts:api_tokens": SIGNED_IN,
    "accounts:revoke_token": NOBODY,
    "organizations:areas": OFFICIALS,
    "organizations:agencies": OFFICIALS,
    "organizations:agency": OFFICIALS,
    "organizations:desks": OFFICIALS,
    "calendars:calendar": PUBLIC,
    "calendars:calculator": PUBLIC,
    "calendars:due_date": PUBLIC,
    "procedures:list": OFFICIALS,
    "procedures:detail": OFFICIALS,
    "procedures:export": OFFICIALS,
    "procedures:import": OFFICE,
    "procedures:create_draft": OFFICE,
    "procedures:edit": OFFICE,
    "procedures:publish": OFFICE,
    "procedures:compare": OFFICE,
    "dossiers:list": OFFICIALS,
    "dossiers:inbox": OFFICIALS,
    "dossiers:reception": OFFICIALS,
    "dossiers:register": OFFICIALS,
    "dossiers:reassign": OFFICIALS,
    "dossiers:detail": SUPER,
    "dossiers:action": NOBODY,
    "dossiers:personal": SUPER,
    "dossiers:form_pdf": SUPER,
    "dossiers:control_slip": SUPER,
    "dossiers:declaration_pdf": SUPER,
    "dossiers:document": SUPER,
    "dossiers:result_file": NOBODY,  # no result yet
    "reports:index": OFFICIALS,
    "reports:settlement": OFFICIALS,
    "reports:targets": OFFICIALS,
    "reports:dashboard": OFFICIALS,
    "reports:timing": OFFICIALS,
    "reports:evaluation": OFFICIALS,
    "reports:service_index": OFFICIALS,
    "reports:lobby": PUBLIC,  # the lobby screen: aggregates only, public by design
    "reform_plans:list": OFFICIALS,
    "reform_plans:new": OFFICE,
    "reform_plans:detail": OFFICIALS,
    "reform_plans:action": NOBODY,
    "reform_plans:xlsx": OFFICIALS,
    "reform_plans:import": OFFICE,
    "reform_plans:period": OFFICIALS,
    "reform_plans:evidence": OFFICIALS,
    "reform_plans:target_evidence": OFFICIALS,
    "reform_plans:period_docx": OFFICIALS,
    "reform_plans:target_value": NOBODY,
    "reform_plans:task_report": OFFICIALS,
    "reform_plans:portfolio": OFFICIALS,
    "indices:home": OFFICIALS,
    "indices:frameworks": OFFICIALS,
    "indices:framework": OFFICIALS,
    "indices:action": NOBODY,
    "indices:results": OFFICIALS,
    "indices:export": OFFICIALS,
    "indices:assessment": OFFICE,  # another agency's self-assessment
    "indices:evidence": OFFICE,
    "indices:rounds": OFFICIALS,
    "indices:round": OFFICIALS,
    "indices:paper": OFFICIALS,
    "indices:kiosk": OFFICIALS,
    "indices:national": OFFICIALS,
    "indices:national_import": OFFICE,
    "portal:home": PUBLIC,
    "portal:catalog": PUBLIC,
    "portal:procedure": PUBLIC,
    "portal:template": PUBLIC,
    "portal:apply": {CITIZEN},
    "portal:draft": NOBODY,
    "portal:draft_file": NOBODY,
    "portal:register": PUBLIC,
    "portal:verify": SIGNED_IN,
    "portal:password_reset": PUBLIC,
    "portal:erase_account": {CITIZEN},
    "portal:my_dossiers": {CITIZEN},
    "portal:my_dossier": NOBODY,
    "portal:my_result": NOBODY,
    "portal:my_declaration": NOBODY,
    "portal:my_document": NOBODY,
    "portal:my_action": NOBODY,
    "portal:my_form": NOBODY,
    "portal:my_store": {CITIZEN},
    "portal:my_stored_file": NOBODY,  # another citizen's stored document
    "portal:rate": NOBODY,
    "portal:kiosk": NOBODY,  # no bound tablet
    "portal:kiosk_setup": frozenset(("leader", "supervisor", "superuser")),
    "portal:feedback": PUBLIC,
    "portal:feedback_track": PUBLIC,
    "portal:feedback_inbox": OFFICIALS,
    "portal:feedback_answer": OFFICE,
    "portal:statistics": PUBLIC,
    "simulators:dvcqg_sync": NOBODY,  # a machine's endpoint: bearer token, POST only
    "simulators:dvcqg_records": NOBODY,
    "simulators:dvcqg_sharing": NOBODY,  # POST only
    "simulators:sms_gateway": NOBODY,
    "sms_receipt": NOBODY,  # the SMS gateway's receipts: a token, POST only
    "payment_notify": NOBODY,  # the payment gateway's signed result, POST only
    "simulators:payment_page": NOBODY,  # refuses a request without the merchant's signature
    "simulators:payment_refund": NOBODY,
    "simulators:payment_transactions": NOBODY,
    "portal:my_payment": NOBODY,  # POST only
    "portal:my_pickup": NOBODY,  # POST only
    "metrics": PUBLIC,  # for Prometheus (CCHC_METRICS_TOKEN, or nginx, keeps it inside)
    "health": PUBLIC,  # for the monitoring (nginx keeps it inside: docs/operations.md)
    "health_live": PUBLIC,
    "health_ready": PUBLIC,
    "operations:access_report": SUPER,  # administrators (or the access-log permission)
    "postal_tracking": NOBODY,  # the postal operator's reports: a token, POST only
    "simulators:postal_order": NOBODY,  # a token, POST only
    "simulators:postal_console": PUBLIC,  # the simulator's console (never in production)
    "vneid_start": PUBLIC,  # on to the identity provider
    "vneid_callback": PUBLIC,  # back from it: without a sign-in under way, to the sign-in page
    "simulators:vneid_authorize": NOBODY,  # refuses a request without client and redirect
    "simulators:vneid_token": NOBODY,  # POST only, client secret
    "simulators:vneid_userinfo": NOBODY,  # a bearer token
    "simulators:vneid_jwks": PUBLIC,  # the provider's public keys
    "simulators:vneid_logout": PUBLIC,
    "portal:payment": NOBODY,  # another citizen's payment
}


@dataclass
class Route:
    template: str
    name: str
    params: list[str]


def routes() -> list[Route]:
    out: list[Route] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                template = prefix + str(p.pattern)
                if template.startswith(SKIP_PREFIXES) or template.startswith("^api/"):
                    if template.startswith("^api/"):
                        out.append(Route("api/v1/khong-co", "api_not_found", []))
                    continue
                params = list(p.pattern.converters) if hasattr(p.pattern, "converters") else []
                out.append(Route(template, namespace + (p.name or "?"), params))

    walk(get_resolver().url_patterns, "", "")
    return out


@pytest.fixture
def other(world: Any) -> dict[str, Any]:
    """Objects outside every scoped persona's scope, one per kind of route parameter."""
    from cchc.dossiers.models import StoredDocument
    from cchc.indices import services as ix
    from cchc.indices.models import Assessment, ScoreEvidence
    from cchc.indices.tests.test_assessments import small_framework
    from cchc.integrations.models import Payment
    from cchc.organizations.models import Agency, Desk
    from cchc.portal import services as ps
    from cchc.portal.models import OnlineDraft
    from cchc.procedures.models import RequiredDocument
    from cchc.reform_plans import reporting as rp
    from cchc.reform_plans.models import TargetValue
    from cchc.reform_plans.testing import plan_with_department_task

    other_desk = Desk.objects.get(pk=world.other_receptionist.memberships.get().desk_id)
    stranger = User.objects.create_user(
        "khac@example.org", password="x", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    d = world.received(desk=other_desk, actor=world.other_receptionist, area=world.other_commune)
    d.applicant_user = stranger
    d.declaration = {"ghi_chu": "khác"}
    d.save(update_fields=["applicant_user", "declaration"])
    v = version("1.004873", timezone.localdate())
    draft = OnlineDraft.objects.create(user=stranger, version=v, data={"name": "Khác"})
    upload = ps.save_upload(
        draft, v.documents.first().pk, SimpleUploadedFile("giay.pdf", PDF_BYTES)
    )
    token, _key = issue_api_token(world.other_receptionist, "khác", actor=world.other_receptionist)
    feedback = ps.submit_feedback(
        topic="desk",
        procedure=None,
        desk=other_desk,
        officer_name="",
        name="Lò Văn A",
        contact="a@example.org",
        content="Chờ lâu",
        publish_consent=False,
    )
    plan, task = plan_with_department_task(world)
    period = rp.open_periods(plan)[0]
    report = rp.save_report(
        period, task, progress="in_progress", percent=10, narrative="x", actor=world.dept_specialist
    )
    evidence = rp.add_evidence(
        report, SimpleUploadedFile("bb.pdf", PDF_BYTES), actor=world.dept_specialist
    )
    target = plan.targets.first()
    value = TargetValue.objects.create(
        target=target,
        period=period,
        value=1,
        evidence=SimpleUploadedFile("mc.pdf", PDF_BYTES),
        reported_by=world.dept_specialist,
    )
    framework = small_framework(world)
    framework.self_deadline = timezone.localdate()
    framework.save()
    ix.publish(framework, actor=world.reform_officer)
    justice = Agency.objects.get(name="Sở Tư pháp")
    assessment = Assessment.objects.get(framework=framework, agency=justice)
    score_evidence = ScoreEvidence.objects.create(
        score=assessment.scores.first(),
        file=SimpleUploadedFile("kc.pdf", PDF_BYTES),
        name="kc.pdf",
    )
    from cchc.indices.tests.test_survey import open_round, small_instrument

    survey = open_round(world, small_instrument())
    template = RequiredDocument.objects.exclude(template_file="").first()
    stored = StoredDocument.objects.create(
        owner_number="001099000123",
        owner_user=stranger,
        kind="result",
        name="Giấy xác nhận tình trạng hôn nhân",
        agency=d.competent_agency,
        issued_on=timezone.localdate(),
        file=upload.file.name,
        content_type="application/pdf",
        sha256="0" * 64,
        source_dossier=d,
        created_at=timezone.now(),
    )
    payment = Payment.objects.create(reference="TTKHAC0001", dossier=d, amount=50000)
    return {
        "payment": payment,
        "stored": stored,
        "dossier": d,
        "form": d.forms.first(),
        "document": d.documents.exclude(file="").first(),
        "draft": draft,
        "upload": upload,
        "token": token,
        "feedback": feedback,
        "desk": other_desk,
        "agency": justice,
        "version": v,
        "plan": plan,
        "period": period,
        "task": task,
        "target": target,
        "plan_evidence": evidence,
        "target_value": value,
        "framework": framework,
        "assessment": assessment,
        "score_evidence": score_evidence,
        "survey": survey,
        "template": template,
    }


def fill(route: Route, o: dict[str, Any]) -> str:
    """The route's address with the other scope's objects; unknown parameters fail loudly."""
    values: dict[str, Any] = {}
    ns = route.name.split(":")[0]
    for name in route.params:
        key = (ns, name)
        table: dict[tuple[str, str], Any] = {
            ("dossiers", "pk"): o["dossier"].pk,
            ("dossiers", "form_pk"): o["form"].pk,
            ("dossiers", "doc_pk"): o["document"].pk,
            ("dossiers", "action"): "tiep-nhan",
            ("portal", "pk"): {
                "portal:draft": o["draft"].pk,
                "portal:draft_file": o["draft"].pk,
                "portal:template": o["template"].pk if o["template"] else 999999,
                "portal:feedback_answer": o["feedback"].pk,
                "portal:my_stored_file": o["stored"].pk,
            }.get(route.name, o["dossier"].pk),
            ("portal", "upload_pk"): o["upload"].pk,
            ("portal", "reference"): o["payment"].reference,
            ("portal", "doc_pk"): o["document"].pk,
            ("portal", "form_pk"): o["form"].pk,
            ("portal", "action"): "rate",
            ("portal", "code"): o["version"].procedure.code,
            ("accounts", "pk"): o["token"].pk,
            ("organizations", "pk"): o["agency"].pk,
            ("procedures", "code"): o["version"].procedure.code,
            ("procedures", "number"): o["version"].number,
            ("procedures", "fmt"): "yaml",
            ("reports", "desk_pk"): o["desk"].pk,
            ("reform_plans", "pk"): {
                "reform_plans:evidence": o["plan_evidence"].pk,
                "reform_plans:target_evidence": o["target_value"].pk,
            }.get(route.name, o["plan"].pk),
            ("reform_plans", "period_pk"): o["period"].pk,
            ("reform_plans", "task_pk"): o["task"].pk,
            ("reform_plans", "target_pk"): o["target"].pk,
            ("reform_plans", "action"): "ban-hanh",
            ("indices", "pk"): {
                "indices:assessment": o["assessment"].pk,
                "indices:evidence": o["score_evidence"].pk,
                "indices:round": o["survey"].pk,
                "indices:paper": o["survey"].pk,
                "indices:kiosk": o["survey"].pk,
            }.get(route.name, o["framework"].pk),
            ("indices", "action"): "cong-bo",
            ("indices", "fmt"): "xlsx",
            ("survey_link", "token"): "khong-co-loi-moi-nay",
            ("verify", "token"): "khong-phai-ma-xac-thuc",
        }
        lookup = (route.name, name) if route.name in ("survey_link", "verify") else key
        assert lookup in table, f"{route.name}: no object for parameter {name!r}; add it"
        values[name] = table[lookup]
    path = route.template
    for name, value in values.items():
        for conv in ("int", "str", "slug", "path", ""):
            token = f"<{conv}:{name}>" if conv else f"<{name}>"
            path = path.replace(token, str(value))
    return "/" + path.lstrip("^").rstrip("$")


def personas(world: Any, admin_user: Any) -> dict[str, Any]:
    citizen = User.objects.create_user(
        "dan@example.org", password="x", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    return {
        ANON: None,
        CITIZEN: citizen,
        "receptionist": world.receptionist,
        "specialist": world.specialist,
        "leader": world.leader,
        "dept_specialist": world.dept_specialist,
        "dept_leader": world.dept_leader,
        "supervisor": world.supervisor,
        "reform_officer": world.reform_officer,
        "superuser": admin_user,
    }


def test_every_route_is_in_the_matrix():
    missing = sorted({r.name for r in routes()} - set(ROUTES))
    assert not missing, f"add these routes to ROUTES with who may see them: {missing}"


HEALTH = {"health", "health_ready"}


def test_nobody_reaches_another_scope_and_nothing_answers_500(world, other, admin_user):
    people = personas(world, admin_user)
    failures: list[str] = []
    for route in routes():
        url = fill(route, other)
        allowed = ROUTES[route.name]
        for name, user in people.items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            status = client.get(url).status_code
            if status == 503 and route.name in HEALTH:
                continue  # its answer when a dependency is down (this world's outbox is late)
            if status >= 500:
                failures.append(f"{name} GET {url} ({route.name}) → {status}")
            elif 200 <= status < 300 and name not in allowed:
                failures.append(f"{name} GET {url} ({route.name}) → {status}, not theirs")
    assert not failures, "\n".join(failures)
