from django import forms
from django.forms import inlineformset_factory

from .models import ProcedureVersion, ProcessStep, RequiredDocument

EDITABLE_FIELDS = [
    "name",
    "field",
    "levels",
    "competent_agency_kind",
    "competent_agency_note",
    "submission_methods",
    "time_limit",
    "time_unit",
    "cutoff_time",
    "time_note",
    "time_to_confirm",
    "fee_note",
    "fee_to_confirm",
    "conditions",
    "legal_basis",
    "result_document",
    "online_level",
    "on_the_spot",
    "inter_agency",
    "anywhere_in_province",
    "anywhere_decision",
    "anywhere_decision_date",
    "frequently_received",
    "announcement",
]


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
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _style(self)


DocumentFormSet = inlineformset_factory(
    ProcedureVersion,
    RequiredDocument,
    form=StyledModelForm,
    fields=["order", "name", "originals", "copies", "present_only", "optional", "reusable"],
    extra=1,
    can_delete=True,
)
StepFormSet = inlineformset_factory(
    ProcedureVersion,
    ProcessStep,
    form=StyledModelForm,
    fields=["order", "name", "performer", "role", "time_share", "is_typical"],
    extra=1,
    can_delete=True,
)
