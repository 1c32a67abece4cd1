from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("dia-ban/", views.areas, name="areas"),
    path("co-quan/", views.agencies, name="agencies"),
    path("co-quan/<int:pk>/", views.agency_detail, name="agency"),
    path("mot-cua/", views.desks, name="desks"),
]
