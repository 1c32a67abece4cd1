from typing import Any

from django import forms
from django.contrib import admin

from cchc.core.adminmixins import AuditedAdmin, RecordAdmin

from .eforms import check_definition
from .models import (
    Announcement,
    AnnouncementItem,
    Competence,
    FeeLine,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
)


@admin.register(ProcedureField)
class FieldAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class CompetenceInline(admin.TabularInline):
    model = Competence
    extra = 0
    autocomplete_fields = ["agency", "area"]


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin):
    list_display = ["code", "has_national_code"]
    search_fields = ["code", "versions__name"]
    inlines = [CompetenceInline]


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class FeeInline(admin.TabularInline):
    model = FeeLine
    extra = 0


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0


class VersionForm(forms.ModelForm):
    """The declaration (tờ khai điện tử) is edited as JSON on a draft version and checked
    before it is kept: a valid JSON Schema, and a layout that names only its fields."""

    class Meta:
        model = ProcedureVersion
        fields = ["declaration"]  # the admin adds the others it shows

    def clean_declaration(self) -> Any:
        value = self.cleaned_data.get("declaration") or {}
        if value:
            problems = check_definition(value)
            if problems:
                raise forms.ValidationError(problems)
        return value


@admin.register(ProcedureVersion)
class VersionAdmin(AuditedAdmin):
    form = VersionForm
    list_display = [
        "procedure",
        "number",
        "name",
        "status",
        "time_limit",
        "time_to_confirm",
        "fee_to_confirm",
        "online_to_confirm",
    ]
    list_filter = [
        "status",
        "field",
        "time_to_confirm",
        "fee_to_confirm",
        "online_to_confirm",
        "online_level",
    ]
    search_fields = ["name", "procedure__code", "search_text"]
    inlines = [DocumentInline, FeeInline, StepInline]
    readonly_fields = ["status", "published_at"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A published version is never edited, only superseded.
        if obj is not None and obj.status != "draft":
            return False
        return super().has_change_permission(request, obj)


class AnnouncementItemInline(admin.TabularInline):
    model = AnnouncementItem
    extra = 0
    fields = ["procedure", "action", "local_level", "agency"]
    readonly_fields = fields
    can_delete = False
    max_num = 0


@admin.register(Announcement)
class AnnouncementAdmin(RecordAdmin):
    """Decisions are applied by the import (Thủ tục hành chính → Nhập từ tệp), never edited:
    what they changed is in the catalog and the audit log."""

    list_display = ["number", "signed_on", "effective_from", "issuer", "created_by"]
    search_fields = ["number", "title"]
    date_hierarchy = "effective_from"
    inlines = [AnnouncementItemInline]
    readonly_fields = ["number", "signed_on", "effective_from", "issuer", "title", "created_by"]
