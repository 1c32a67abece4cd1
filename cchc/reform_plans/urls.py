from django.urls import path

from . import views

app_name = "reform_plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", views.plan_action, name="action"),
    path("<int:pk>/nhiem-vu.xlsx", views.plan_xlsx, name="xlsx"),
    path("<int:pk>/nhap-excel/", views.plan_import, name="import"),
    path("<int:pk>/ky/<int:period_pk>/", views.period_page, name="period"),
    path("minh-chung/<int:pk>/", views.evidence_file, name="evidence"),
    path("minh-chung-chi-tieu/<int:pk>/", views.target_evidence, name="target_evidence"),
    path("<int:pk>/ky/<int:period_pk>/bao-cao.docx", views.period_docx, name="period_docx"),
    path(
        "<int:pk>/ky/<int:period_pk>/chi-tieu/<int:target_pk>/",
        views.target_value,
        name="target_value",
    ),
    path(
        "<int:pk>/ky/<int:period_pk>/nhiem-vu/<int:task_pk>/",
        views.task_report,
        name="task_report",
    ),
]
