from django.contrib import admin

from cchc.core.adminmixins import AuditedAdmin

from .models import Feedback, LifeEvent, Rating, RatingCriterion


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
