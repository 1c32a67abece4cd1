from django import forms
from django.forms import inlineformset_factory

from .exchange import VERSION_FIELDS
from .models import ProcedureVersion, ProcessStep, RequiredDocument

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
