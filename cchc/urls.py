from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from cchc.accounts import views as accounts_views
from cchc.api import api
from cchc.core import bench_views
from cchc.core.api import not_found as api_not_found
from cchc.indices import views as indices_views
from cchc.integrations.payment import views as payment_views
from cchc.integrations.postal import views as postal_views
from cchc.integrations.sms import views as sms_views
from cchc.integrations.vneid import views as vneid_views
from cchc.operations import health, metrics
from cchc.portal import views as portal_views
from cchc.site import views as core_views

admin.site.site_header = _("Hệ thống CCHC — Quản trị")
admin.site.site_title = _("Hệ thống CCHC")
admin.site.index_title = _("Quản trị")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dang-nhap/", accounts_views.Login.as_view(), name="login"),
    path("dang-xuat/", accounts_views.Logout.as_view(), name="logout"),
    path("doi-mat-khau/", accounts_views.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("cchc.accounts.urls")),
    path("dia-ban-co-quan/", include("cchc.organizations.urls")),
    path("lich/", include("cchc.calendars.urls")),
    path("thu-tuc/", include("cchc.procedures.urls")),
    path("ho-so/", include("cchc.dossiers.urls")),
    path("bao-cao/", include("cchc.reports.urls")),
    path("ke-hoach/", include("cchc.reform_plans.urls")),
    path("chi-so/", include("cchc.indices.urls")),
    path("khao-sat/<str:token>/", indices_views.public_survey, name="survey_link"),
    path("tra-cuu/", portal_views.lookup, name="lookup"),
    path("xac-thuc/", portal_views.verify_document, name="verify_any"),
    path("xac-thuc/<str:token>/", portal_views.verify_document, name="verify"),
    path("tra-cuu/ket-qua/", portal_views.lookup_result, name="lookup_result"),
    path("dich-vu-cong/", include("cchc.portal.urls")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),  # after the API: its misses answer in JSON
    path("healthz", core_views.healthz, name="healthz"),
    path("tich-hop/sms/bao-nhan/", sms_views.receipt, name="sms_receipt"),
    path("tich-hop/thanh-toan/ket-qua/", payment_views.notify, name="payment_notify"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("suc-khoe/", health.Status.as_view(), name="health"),
    path("suc-khoe/song/", health.Live.as_view(), name="health_live"),
    path("suc-khoe/san-sang/", health.Ready.as_view(), name="health_ready"),
    path("van-hanh/", include("cchc.operations.urls")),
    path("tich-hop/buu-chinh/hanh-trinh/", postal_views.tracking, name="postal_tracking"),
    path("tich-hop/vneid/dang-nhap/", vneid_views.VneidStart.as_view(), name="vneid_start"),
    path("tich-hop/vneid/ve/", vneid_views.VneidCallback.as_view(), name="vneid_callback"),
]
if settings.CCHC_SIMULATORS:  # the national systems' local stand-ins, never in production
    urlpatterns += [path("mo-phong/", include("cchc.integrations.urls"))]
if settings.CCHC_BENCH_VIEWS:
    urlpatterns += [path("_bench/<str:name>", bench_views.floor)]
# No `/media/`: every stored file is sent by a view that checks its reader (cchc/core/files.py).
