from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.accounts.admin import UserAdmin
from cchc.core.adminmixins import AuditedAdmin
from cchc.core.errors import DomainError

from . import services
from .models import Feedback, LifeEvent, Rating, RatingCriterion


@admin.action(description=gettext_lazy("Xóa dữ liệu cá nhân (theo yêu cầu của công dân)"))
def erase_accounts(modeladmin, request, queryset):  # type: ignore[no-untyped-def]
    """An erasure request received on paper or by mail: the same service as the portal's."""
    done = 0
    for user in queryset:
        try:
            services.erase_account(user, actor=request.user)
        except DomainError as exc:
            messages.error(request, f"{user}: {exc.message}")
        else:
            done += 1
    if done:
        messages.success(request, _("Đã xóa dữ liệu cá nhân của %(n)s tài khoản.") % {"n": done})


# The portal owns what an account's erasure removes (drafts, uploads), so it adds the action.
UserAdmin.actions = [*(UserAdmin.actions or []), erase_accounts]


@admin.register(RatingCriterion)
class RatingCriterionAdmin(AuditedAdmin):
    list_display = ("order", "text", "active")
    list_editable = ("active",)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "channel", "satisfied", "created_at")
    list_filter = ("channel", "satisfied")
    readonly_fields = ("dossier", "scores", "comment", "channel", "satisfied", "created_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Feedback)
class FeedbackAdmin(AuditedAdmin):
    list_display = ("tracking_code", "topic", "status", "received_at", "due_at", "published")
    list_filter = ("status", "topic", "published")
    search_fields = ("tracking_code", "name", "content")


@admin.register(LifeEvent)
class LifeEventAdmin(AuditedAdmin):
    list_display = ("order", "name")
    filter_horizontal = ("procedures",)
