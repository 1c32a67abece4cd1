from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("truy-cap/", views.access_report, name="access_report"),
]
