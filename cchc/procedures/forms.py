from django import forms
from django.forms import inlineformset_factory

from .exchange import VERSION_FIELDS
from .models import FeeLine, ProcedureVersion, ProcessStep, RequiredDocument

# The editable content of a version is exactly what the catalog exchange carries.
EDITABLE_FIELDS = ["field", *VERSION_FIELDS]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 2)


class VersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        fields = EDITABLE_FIELDS

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _style(self)


class StyledModelForm(forms.ModelForm):
    """A row of a draft's documents, fees or steps.

    The rows are replaced as a whole by `services.update_draft`, which checks their order
    numbers; uniqueness against the rows being replaced is not a user error.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _style(self)

    def validate_unique(self) -> None:
        return None

    def validate_constraints(self) -> None:
        return None


DocumentFormSet = inlineformset_factory(
    ProcedureVersion,
    RequiredDocument,
    form=StyledModelForm,
    fields=["order", "name", "originals", "copies", "present_only", "optional", "reusable"],
    extra=1,
    can_delete=True,
)
FeeFormSet = inlineformset_factory(
    ProcedureVersion,
    FeeLine,
    form=StyledModelForm,
    fields=["order", "kind", "name", "amount", "exemption"],
    extra=1,
    can_delete=True,
)
StepFormSet = inlineformset_factory(
    ProcedureVersion,
    ProcessStep,
    form=StyledModelForm,
    fields=["order", "name", "performer", "other_agency", "role", "time_share", "is_typical"],
    extra=1,
    can_delete=True,
)


def formset_rows(formset: forms.BaseInlineFormSet) -> list[dict]:
    """The rows a user kept in a formset, as plain values for the service layer."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        row = {k: v for k, v in data.items() if k not in ("DELETE", "id", "version")}
        if "other_agency" in row:
            agency = row.pop("other_agency")
            row["other_agency_id"] = agency.pk if agency else None
        rows.append(row)
    return rows
