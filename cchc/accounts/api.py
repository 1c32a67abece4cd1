from django.http import HttpRequest
from ninja import Router, Schema

from .auth import AUTH

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    agency_id: int
    agency: str
    desk_id: int | None
    role: str


class MeOut(Schema):
    username: str
    full_name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, auth=AUTH, summary="Người dùng đang xác thực")
def me(request: HttpRequest) -> dict:
    user = request.user
    rows = user.memberships_on().select_related("agency")  # type: ignore[union-attr]
    return {
        "username": user.get_username(),
        "full_name": str(user),
        "memberships": [
            {
                "agency_id": m.agency_id,
                "agency": m.agency.name,
                "desk_id": m.desk_id,
                "role": m.role,
            }
            for m in rows
        ],
    }
