from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("viec-cua-toi/", views.inbox, name="inbox"),
    path("tiep-nhan/", views.reception, name="reception"),
    path("so-theo-doi/", views.register, name="register"),
    path("chuyen-giao/", views.reassign, name="reassign"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", views.dossier_action, name="action"),
    path("<int:pk>/ca-nhan/", views.personal_data, name="personal"),
    path("<int:pk>/bieu-mau/<int:form_pk>.pdf", views.form_pdf, name="form_pdf"),
    path("<int:pk>/phieu-kiem-soat.pdf", views.control_slip, name="control_slip"),
    path("<int:pk>/to-khai.pdf", views.declaration_pdf, name="declaration_pdf"),
    path("<int:pk>/giay-to/<int:doc_pk>/", views.document_file, name="document"),
    path("<int:pk>/ket-qua/", views.result_file, name="result_file"),
]
