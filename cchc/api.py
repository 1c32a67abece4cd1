"""The JSON API at /api/v1/: each app mounts its ninja Router here (the project package is the
one place that may import every app)."""

from cchc.accounts.api import router as accounts_router
from cchc.calendars.api import router as calendars_router
from cchc.core.api import CchcApi, LocalSwagger, install_error_handlers
from cchc.dossiers.api import router as dossiers_router
from cchc.dossiers.api import store_router
from cchc.indices.api import router as indices_router
from cchc.organizations.api import router as organizations_router
from cchc.portal.api import router as intake_router
from cchc.portal.api import verify_router
from cchc.procedures.api import router as procedures_router
from cchc.reform_plans.api import router as plans_router
from cchc.reports.api import router as reports_router


def build_api() -> CchcApi:
    api = CchcApi(
        title="cchc API",
        version="1",
        description="API của hệ thống giải quyết thủ tục hành chính và cải cách hành chính.",
        docs_url="/docs",
        docs=LocalSwagger(),
        openapi_url="/openapi.json",
        urls_namespace="api-1",
    )

    install_error_handlers(api)
    api.add_router("/", accounts_router)
    api.add_router("/", organizations_router)
    api.add_router("/calendar", calendars_router)
    api.add_router("/procedures", procedures_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/store", store_router)
    api.add_router("/intake", intake_router)
    api.add_router("/", verify_router)
    api.add_router("/reports", reports_router)
    api.add_router("/plans", plans_router)
    api.add_router("/indices", indices_router)
    return api


api = build_api()
