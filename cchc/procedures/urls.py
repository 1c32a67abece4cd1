from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("xuat/<str:fmt>/", views.export_view, name="export"),
    path("nhap/", views.import_view, name="import"),
    path("<str:code>/", views.procedure_detail, name="detail"),
    path("<str:code>/du-thao/", views.create_draft_view, name="create_draft"),
    path("<str:code>/v<int:number>/sua/", views.edit_draft, name="edit"),
    path("<str:code>/v<int:number>/cong-bo/", views.publish_view, name="publish"),
    path("<str:code>/v<int:number>/so-sanh/", views.compare_view, name="compare"),
]
