from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("giai-quyet-tthc/", views.settlement, name="settlement"),
    path("chi-tieu/", views.targets, name="targets"),
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
    path("thoi-gian/", views.timing, name="timing"),
    path("danh-gia/", views.evaluation, name="evaluation"),
    path("chi-so-766/", views.service_index, name="service_index"),
    path("man-hinh/<int:desk_pk>/", views.lobby, name="lobby"),
]
