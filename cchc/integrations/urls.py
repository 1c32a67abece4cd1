"""The local simulators of the national systems (mounted only when CCHC_SIMULATORS is on)."""

from django.urls import path

from .dvcqg import simulator as dvcqg
from .payment import simulator as payment
from .postal import views as postal
from .sms import views as sms
from .vneid import simulator as vneid

app_name = "simulators"

urlpatterns = [
    path("dvcqg/dong-bo/", dvcqg.sync, name="dvcqg_sync"),
    path("dvcqg/ho-so/", dvcqg.records, name="dvcqg_records"),
    path("dvcqg/chia-se/", dvcqg.sharing, name="dvcqg_sharing"),
    path("sms/gui/", sms.simulated_gateway, name="sms_gateway"),
    path("thanh-toan/", payment.pay, name="payment_page"),
    path("thanh-toan/hoan-tien/", payment.refund, name="payment_refund"),
    path("thanh-toan/giao-dich/", payment.transactions, name="payment_transactions"),
    path("buu-chinh/", postal.simulated_orders, name="postal_console"),
    path("buu-chinh/don-hang/", postal.simulated_order, name="postal_order"),
    path("vneid/oauth2/authorize", vneid.authorize, name="vneid_authorize"),
    path("vneid/oauth2/token", vneid.token, name="vneid_token"),
    path("vneid/oauth2/userinfo", vneid.userinfo, name="vneid_userinfo"),
    path("vneid/oauth2/jwks", vneid.jwks, name="vneid_jwks"),
    path("vneid/oauth2/logout", vneid.logout, name="vneid_logout"),
]
