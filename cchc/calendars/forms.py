from django import forms
from django.utils.translation import gettext_lazy as _

from .arithmetic import LimitUnit


class DueDateForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận"),
        input_formats=["%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y", "%Y-%m-%dT%H:%M"],
        help_text=_("Dạng dd/mm/yyyy hh:mm, ví dụ 01/02/2019 09:00"),
        error_messages={"invalid": _("Thời điểm không hợp lệ; hãy nhập dd/mm/yyyy hh:mm.")},
    )
    amount = forms.DecimalField(
        label=_("Thời hạn"), min_value=0, max_value=3650, decimal_places=2, initial=3
    )
    unit = forms.ChoiceField(
        label=_("Đơn vị"),
        choices=[
            (LimitUnit.WORKING_DAYS.value, _("ngày làm việc")),
            (LimitUnit.WORKING_HOURS.value, _("giờ làm việc")),
            (LimitUnit.CALENDAR_DAYS.value, _("ngày")),
        ],
    )
    cutoff = forms.TimeField(
        label=_("Giờ tiếp nhận muộn nhất"), required=False, input_formats=["%H:%M"]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
