from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("ma-truy-cap-api/", views.api_tokens, name="api_tokens"),
    path("ma-truy-cap-api/<int:pk>/thu-hoi/", views.revoke_token, name="revoke_token"),
]
