from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from cchc.organizations.constants import AreaLevel

from .constants import ApplicantType
from .exchange import VERSION_FIELDS
from .models import FeeLine, ProcedureVersion, ProcessStep, RequiredDocument

# The editable content of a version is exactly what the catalog exchange carries.
EDITABLE_FIELDS = ["field", "applicant_types", *VERSION_FIELDS]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 2)


class VersionForm(forms.ModelForm):
    applicant_types = forms.MultipleChoiceField(
        label=_("Đối tượng thực hiện"),
        choices=ApplicantType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    levels = forms.MultipleChoiceField(
        label=_("Cấp thực hiện"),
        choices=AreaLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProcedureVersion
        fields = EDITABLE_FIELDS

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.initial["levels"] = self.instance.level_list()
        if "identity_level" in self.fields:  # not given: no level required
            self.fields["identity_level"].required = False
        _style(self)

    def clean_identity_level(self) -> int:
        return int(self.cleaned_data.get("identity_level") or 0)

    def clean_levels(self) -> str:
        chosen = self.cleaned_data["levels"]
        return ",".join(level for level in AreaLevel.values if level in chosen)


class StyledModelForm(forms.ModelForm):
    """A row of a draft's documents, fees or steps.

    The rows are replaced as a whole by `services.update_draft`, which checks their order
    numbers; uniqueness against the rows being replaced is not a user error.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        agency = self.fields.get("other_agency")
        if isinstance(agency, forms.ModelChoiceField):
            agency.empty_label = _("— không —")
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
