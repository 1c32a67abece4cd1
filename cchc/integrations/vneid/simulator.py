"""A local stand-in for the national single sign-on (VNeID through the national portal): an
OpenID Connect provider with the authorisation-code flow, RS256 ID tokens, a JWKS, and the
claim set of shared/domain/national-systems.md §2, for a handful of test identities at levels
1 and 2 (a citizen linked to the demo account, new citizens, a business).

Mounted only with the other simulators (CCHC_SIMULATORS), never in production."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..models import SimulatorKey

KEY_NAME = "vneid"
CODE_SECONDS = 120
TOKEN_SECONDS = 900

# Test identities (fictional): TechID, account type (1 citizen, 2 business), level, claims.
PERSONAS: dict[str, dict[str, Any]] = {
    "dan": {
        "TechID": "MP-VNEID-0001",
        "LoaiTaiKhoan": "1",
        "IAL": "2",
        "SoDinhDanh": "014190000001",
        "HoVaTen": "Lò Thị Dân (demo)",
        "NgayThangNamSinh": "19900315",
        "ThuDienTu": "congdan@example.org",
    },
    "minh": {
        "TechID": "MP-VNEID-0002",
        "LoaiTaiKhoan": "1",
        "IAL": "1",
        "SoDinhDanh": "014090000002",
        "HoVaTen": "Cầm Văn Minh (mô phỏng)",
        "NgayThangNamSinh": "19850102",
        "SoDienThoai": "0912000002",
    },
    "hoa": {
        "TechID": "MP-VNEID-0003",
        "LoaiTaiKhoan": "1",
        "IAL": "2",
        "SoDinhDanh": "014190000003",
        "HoVaTen": "Quàng Thị Hoa (mô phỏng)",
        "NgayThangNamSinh": "19950720",
        "SoDienThoai": "0912000003",
    },
    "doanh-nghiep": {
        "TechID": "MP-VNEID-0004",
        "LoaiTaiKhoan": "2",
        "IAL": "2",
        "MaSoDoanhNghiep": "5500000004",
        "TenDoanhNghiep": "Công ty TNHH Nông sản Mộc Châu (mô phỏng)",
        "HoVaTen": "Hà Văn Quân (mô phỏng)",
        "SoDinhDanh": "014080000004",
    },
}


def _private_key() -> rsa.RSAPrivateKey:
    row = SimulatorKey.objects.filter(name=KEY_NAME).first()
    if row is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        try:
            row = SimulatorKey.objects.create(name=KEY_NAME, pem=pem)
        except IntegrityError:  # another process made it first
            row = SimulatorKey.objects.get(name=KEY_NAME)
    loaded = serialization.load_pem_private_key(row.pem.encode(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def _kid(key: rsa.RSAPrivateKey) -> str:
    return f"mp-{key.public_key().public_numbers().n % 10**8:08d}"


def _issuer(request: HttpRequest) -> str:
    return request.build_absolute_uri("/mo-phong/vneid/").rstrip("/")


def _level_asked(acr_values: str) -> int:
    asked = [lvl for lvl, acr in settings.CCHC_VNEID_ACR.items() if acr in acr_values.split()]
    return max((int(lvl) for lvl in asked), default=1)


def _back(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    joiner = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{joiner}{urlencode(params)}")


def authorize(request: HttpRequest) -> HttpResponse:
    """The provider's sign-in page: pick a test identity (or cancel)."""
    q = request.GET if request.method == "GET" else request.POST
    needed = ("response_type", "client_id", "redirect_uri", "state")
    if any(not q.get(name) for name in needed) or q.get("response_type") != "code":
        return HttpResponse("Yêu cầu đăng nhập không hợp lệ (thiếu tham số).", status=400)
    if q.get("client_id") != settings.OIDC_RP_CLIENT_ID:
        return HttpResponse("Ứng dụng chưa được đăng ký (client_id).", status=400)
    redirect_uri, state = str(q["redirect_uri"]), str(q["state"])
    level = _level_asked(str(q.get("acr_values", "")))
    if request.method == "GET":
        people = [
            {"key": key, "level": int(p["IAL"]), "business": p["LoaiTaiKhoan"] == "2", **p}
            for key, p in PERSONAS.items()
        ]
        return render(
            request,
            "integrations/vneid_simulator.html",
            {"q": q, "people": people, "level": level},
        )
    persona = PERSONAS.get(str(q.get("persona", "")))
    if persona is None:
        return _back(redirect_uri, error="access_denied", state=state)
    if int(persona["IAL"]) < level:
        return _back(redirect_uri, error="unmet_authentication_requirements", state=state)
    code = signing.dumps(
        {
            "p": q.get("persona"),
            "n": q.get("nonce", ""),
            "r": redirect_uri,
            "a": " ".join(settings.CCHC_VNEID_ACR.get(str(x), "") for x in range(1, level + 1)),
        },
        salt="vneid-simulator-code",
    )
    return _back(redirect_uri, code=code, state=state)


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """Code for tokens (client authenticated by its secret, in the form or HTTP Basic)."""
    form = request.POST
    if form.get("grant_type") != "authorization_code":
        return JsonResponse({"error": "unsupported_grant_type"}, status=400)
    client, secret = form.get("client_id", ""), form.get("client_secret", "")
    if (client, secret) != (settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET):
        return JsonResponse({"error": "invalid_client"}, status=401)
    try:
        code = signing.loads(
            str(form.get("code", "")), salt="vneid-simulator-code", max_age=CODE_SECONDS
        )
    except signing.BadSignature:
        return JsonResponse({"error": "invalid_grant"}, status=400)
    if code["r"] != form.get("redirect_uri"):
        return JsonResponse(
            {"error": "invalid_grant", "error_description": "redirect_uri"}, status=400
        )
    persona = PERSONAS[code["p"]]
    key, now = _private_key(), int(time.time())
    id_token = jwt.encode(
        {
            "iss": _issuer(request),
            "sub": persona["TechID"],
            "aud": client,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "nonce": code["n"],
            "acr": code["a"].split()[-1] if code["a"] else "",
        },
        key,
        algorithm="RS256",
        headers={"kid": _kid(key)},
    )
    access = signing.dumps({"p": code["p"], "j": secrets.token_hex(4)}, salt="vneid-sim-access")
    return JsonResponse(
        {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "id_token": id_token,
        }
    )


@require_GET
def userinfo(request: HttpRequest) -> JsonResponse:
    bearer = request.headers.get("Authorization", "")
    try:
        access = signing.loads(
            bearer.removeprefix("Bearer ").strip(), salt="vneid-sim-access", max_age=TOKEN_SECONDS
        )
    except signing.BadSignature:
        return JsonResponse({"error": "invalid_token"}, status=401)
    persona = PERSONAS[access["p"]]
    level = persona["IAL"]
    return JsonResponse(
        {"sub": persona["TechID"], **persona, "loAs": [f"LoA{n}" for n in range(1, int(level) + 1)]}
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    key = _private_key()
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return JsonResponse({"keys": [{**public, "kid": _kid(key), "alg": "RS256", "use": "sig"}]})


@require_GET
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the provider's session and goes back where the client asked, if that is the
    client's own site (a real provider checks it against the registered addresses)."""
    target = request.GET.get("post_logout_redirect_uri") or "/"
    own = settings.CCHC_PUBLIC_BASE_URL.rstrip("/") + "/"
    return HttpResponseRedirect(target if target.startswith(("/", own)) else "/")
