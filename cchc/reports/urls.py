from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("giai-quyet-tthc/", views.settlement, name="settlement"),
    path("chi-tieu/", views.targets, name="targets"),
]
