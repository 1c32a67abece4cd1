from django.urls import path

from . import views
from .constants import ResponseChannel

app_name = "indices"
urlpatterns = [
    path("", views.home, name="home"),
    path("bo-chi-so/<int:pk>/", views.framework_detail, name="framework"),
    path("bo-chi-so/<int:pk>/thao-tac/<slug:action>/", views.framework_action, name="action"),
    path("bo-chi-so/<int:pk>/ket-qua/", views.results_page, name="results"),
    path(
        "bo-chi-so/<int:pk>/ket-qua.<str:fmt>",
        views.results_export,
        name="export",
    ),
    path("danh-gia/<int:pk>/", views.assessment_page, name="assessment"),
    path("minh-chung/<int:pk>/", views.evidence_file, name="evidence"),
    path("khao-sat/", views.rounds, name="rounds"),
    path("khao-sat/<int:pk>/", views.round_page, name="round"),
    path("khao-sat/<int:pk>/nhap-phieu/", views.paper_entry, name="paper"),
    path(
        "khao-sat/<int:pk>/tai-quay/",
        views.paper_entry,
        {"channel": ResponseChannel.KIOSK},
        name="kiosk",
    ),
    path("quoc-gia/", views.national, name="national"),
]
