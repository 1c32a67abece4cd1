from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cchc.core.adminmixins import AuditedAdmin

from .models import ApiToken, Membership, User
from .services import revoke_api_token


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency", "desk"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Thông tin thêm"), {"fields": ("full_name", "phone")}),
    )
    list_display = ["username", "full_name", "email", "kind", "is_staff", "is_active"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        """A citizen's account holds filed dossiers, which are records: it is erased (the
        portal's "Xóa dữ liệu cá nhân" action), not deleted."""
        if obj is not None and obj.is_public_account:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "agency", "desk", "valid_from", "valid_to"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "agency", "desk"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by their owner (Tài khoản › Mã truy cập API); admins may revoke."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # revoked tokens stay on record

    @admin.action(description=_("Thu hồi các mã đã chọn"))
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        for token in queryset:
            revoke_api_token(token, actor=request.user)
