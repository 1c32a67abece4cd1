"""One family of domain errors, mapped once for the API and once for the pages."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from cchc.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from cchc.core.middleware import DomainErrorMiddleware
from cchc.dossiers.services import ServiceError, TransitionNotAllowed
from cchc.indices.services import IndicesError
from cchc.reform_plans.deadlines import DeadlineError
from cchc.reform_plans.services import PlanError


def test_every_apps_refusal_is_a_domain_error_with_its_status():
    assert issubclass(ServiceError, DomainError) and issubclass(PlanError, DomainError)
    assert issubclass(IndicesError, DomainError) and issubclass(DeadlineError, Invalid)
    assert TransitionNotAllowed("x", "y").status == 409
    assert [k("c", "m").status for k in (Invalid, Forbidden, NotFound, Conflict)] == [
        400,
        403,
        404,
        409,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("kind,status", [(Invalid, 400), (Forbidden, 403), (Conflict, 409)])
def test_a_refusal_a_page_did_not_catch_is_a_4xx_page_with_its_message(kind, status, admin_user):
    request = RequestFactory().get("/ho-so/1/")
    request.user = admin_user
    middleware = DomainErrorMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    response = middleware.process_exception(request, kind("x", "Hồ sơ đã được trả kết quả."))
    assert response is not None and response.status_code == status
    assert "Hồ sơ đã được trả kết quả." in response.content.decode()
    assert middleware.process_exception(request, ValueError("boom")) is None
    citizen_side = RequestFactory().get("/dich-vu-cong/ho-so-cua-toi/1/")
    citizen_side.user = admin_user
    page = middleware.process_exception(citizen_side, kind("x", "Hồ sơ đã được trả kết quả."))
    assert page is not None and "Cổng dịch vụ công" in page.content.decode()  # the portal's frame
