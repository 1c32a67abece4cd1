"""The reception form: applicant and channel; the checklist rows are read beside it."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.organizations.models import AdministrativeArea

from . import constants as c


class ReceptionForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"), choices=c.ApplicantKind.choices, initial=c.ApplicantKind.CITIZEN
    )
    name = forms.CharField(label=_("Họ và tên / tên tổ chức"), max_length=255)
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số)"), max_length=12, required=False
    )
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=14, required=False)
    representative = forms.CharField(label=_("Người đại diện"), max_length=200, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(
        label=_("Địa chỉ (số nhà, thôn, bản)"), max_length=300, required=False
    )
    area = forms.ModelChoiceField(
        label=_("Xã, phường"), queryset=AdministrativeArea.objects.none(), empty_label="—"
    )
    on_behalf = forms.CharField(
        label=_("Gắn vào tài khoản Cổng của người nộp: căn cứ (nếu có)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(
            {"placeholder": _("Ví dụ: người nộp đồng ý tại quầy; giấy ủy quyền số …")}
        ),
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(k, v) for k, v in c.Channel.choices if k != c.Channel.ONLINE],
    )
    sets = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=50, initial=1)
    return_method = forms.ChoiceField(label=_("Nhận kết quả"), choices=c.ReturnMethod.choices)
    request_note = forms.CharField(
        label=_("Nội dung yêu cầu (nếu có)"), required=False, widget=forms.Textarea({"rows": 2})
    )
    reason = forms.CharField(
        label=_("Lý do (khi yêu cầu bổ sung hoặc từ chối)"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    returned_to = forms.CharField(
        label=_("Người nhận kết quả (giải quyết ngay)"), max_length=200, required=False
    )
    fee_receipt = forms.CharField(
        label=_("Số biên lai thu phí, lệ phí (giải quyết ngay)"), max_length=60, required=False
    )

    def __init__(self, *args, province=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        areas = AdministrativeArea.objects.on(timezone.localdate()).filter(level="commune")
        if province is not None:
            areas = areas.filter(province=province)
        self.fields["area"].queryset = areas.order_by("name")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
