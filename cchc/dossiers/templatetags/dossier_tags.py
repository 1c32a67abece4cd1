"""Row helpers for long dossier lists: one Python call per row instead of a sub-template."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cchc.core.templatetags.vn import moment

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


def detail_url() -> str:
    """The dossier page's address with `{}` for the id: reversed once per list, not per row."""
    return reverse("dossiers:detail", args=[987654321]).replace("987654321", "{}")


@register.simple_tag
def inbox_step_rows(rows: list[tuple[Any, Badges]]) -> SafeString:
    """The inbox's rows of waiting steps, rendered in Python: the busiest page officials open,
    where the template engine cost more than the queries (bench/RESULTS.md, issue 20). Every
    value is escaped here."""
    if not rows:
        return format_html(
            '<tr><td colspan="7" class="text-muted">{}</td></tr>', _("Không có việc nào đang chờ.")
        )
    url = detail_url()
    out = []
    for st, b in rows:
        d = st.dossier
        assignee = escape(str(st.assignee)) if st.assignee_id else "—"
        out.append(
            f'<tr><td><a href="{url.format(d.pk)}">{escape(d.code or "")}</a></td>'
            f"<td>{escape(Truncator(d.procedure_version.name).chars(60))}</td>"
            f'<td>{escape(st.name)} <small class="text-muted">({escape(st.agency.name)})</small>'
            f"</td><td>{assignee}</td><td>{moment(st.due_at)}</td><td>{moment(d.due_at)}</td>"
            f"<td>{badges(b)}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped


@register.simple_tag
def overview_rows(rows: list[tuple[Any, Badges]]) -> SafeString:
    """A leader's or supervisor's rows of open dossiers (up to a hundred), as above."""
    if not rows:
        return format_html(
            '<tr><td colspan="6" class="text-muted">{}</td></tr>',
            _("Không có hồ sơ đang giải quyết."),
        )
    url = detail_url()
    out = []
    for d, b in rows:
        holder = escape(d.holder_agency.name) if d.holder_agency_id else ""
        out.append(
            f'<tr><td><a href="{url.format(d.pk)}">{escape(d.code or "")}</a></td>'
            f"<td>{escape(Truncator(d.procedure_version.name).chars(60))}</td>"
            f"<td>{escape(d.get_status_display())}</td><td>{holder}</td>"
            f"<td>{moment(d.due_at)}</td><td>{badges(b)}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped
