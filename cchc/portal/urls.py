from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", views.procedure_page, name="procedure"),
    path("mau-don/<int:pk>/", views.document_template, name="template"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.start_application, name="apply"),
    path("ho-so-dang-soan/<int:pk>/", views.draft_page, name="draft"),
    path("ho-so-dang-soan/<int:pk>/tep/<int:upload_pk>/", views.draft_file, name="draft_file"),
    path("dang-ky/", views.register, name="register"),
    path("xac-thuc/", views.verify, name="verify"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("tai-khoan/xoa/", views.erase_account, name="erase_account"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<int:pk>/", views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<int:pk>/ket-qua/", views.my_result, name="my_result"),
    path("ho-so-cua-toi/<int:pk>/to-khai.pdf", views.my_declaration, name="my_declaration"),
    path("ho-so-cua-toi/<int:pk>/giay-to/<int:doc_pk>/", views.my_document, name="my_document"),
    path("ho-so-cua-toi/<int:pk>/thanh-toan/", views.my_payment, name="my_payment"),
    path("ho-so-cua-toi/<int:pk>/buu-chinh/", views.my_pickup, name="my_pickup"),
    path("ho-so-cua-toi/<int:pk>/<slug:action>/", views.my_dossier_action, name="my_action"),
    path("thanh-toan/<str:reference>/", views.payment_result, name="payment"),
    path("ho-so-cua-toi/<int:pk>/bieu-mau/<int:form_pk>.pdf", views.my_form_pdf, name="my_form"),
    path("kho-du-lieu/", views.my_store, name="my_store"),
    path("kho-du-lieu/<int:pk>/", views.my_stored_file, name="my_stored_file"),
    path("danh-gia/", views.rate_by_link, name="rate"),
    path("quay/", views.kiosk, name="kiosk"),
    path("quay/thiet-lap/", views.kiosk_setup, name="kiosk_setup"),
    path("phan-anh/", views.feedback_new, name="feedback"),
    path("phan-anh/tra-cuu/", views.feedback_track, name="feedback_track"),
    path("phan-anh/quan-ly/", views.feedback_inbox, name="feedback_inbox"),
    path("phan-anh/quan-ly/<int:pk>/", views.feedback_answer, name="feedback_answer"),
    path("thong-ke/", views.statistics, name="statistics"),
]
