"""Row helpers for long dossier lists: one Python call per row instead of a sub-template."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..inbox import Badges

register = template.Library()


@register.simple_tag
def badges(b: Badges | None) -> SafeString:
    """The urgency badges of a dossier or step: overdue, due today, at risk, stalled."""
    if not b:
        return mark_safe("")
    parts = []
    if b.overdue:
        parts.append(format_html('<span class="badge text-bg-danger">{}</span>', _("Quá hạn")))
    elif b.due_today:
        parts.append(
            format_html('<span class="badge text-bg-warning">{}</span>', _("Đến hạn hôm nay"))
        )
    elif b.at_risk:
        parts.append(format_html('<span class="badge text-bg-info">{}</span>', _("Sắp đến hạn")))
    if b.stalled:
        parts.append(
            format_html(
                ' <span class="badge text-bg-secondary" title="{}">{}</span>',
                _("Không có thao tác trong thời gian quy định"),
                _("Chậm xử lý"),
            )
        )
    return mark_safe("".join(parts))  # every part is format_html output
