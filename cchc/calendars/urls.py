from django.urls import path

from . import views

app_name = "calendars"
urlpatterns = [path("tinh-han/", views.due_date, name="due_date")]
