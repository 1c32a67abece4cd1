"""Template tags shared by the staff site and the portal."""

from decimal import Decimal

from django import template
from django.contrib.auth.password_validation import password_validators_help_texts

from cchc.core.formatting import money

register = template.Library()


@register.inclusion_tag("_password_rules.html")
def password_rules() -> dict[str, list[str]]:
    """The rules a new password must meet, as the configured validators state them (the
    same validators that then check it), shown under every new-password field."""
    return {"rules": password_validators_help_texts()}


@register.filter(name="money")
def money_filter(amount: Decimal | int | None) -> str:
    """`100000` → `100.000 đồng`, as the forms print it."""
    return money(amount)
