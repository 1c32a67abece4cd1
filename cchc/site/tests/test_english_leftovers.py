"""No English in the Vietnamese interface from the libraries' own strings: every message of
Django's core, admin (pages and scripts), auth, sessions and django-axes has a Vietnamese text,
from their catalogues or from ours (cchc/locale/vi). A library upgrade that adds strings fails
here until they are translated. (The walk in test_walk.py looks for English on the pages.)"""

from __future__ import annotations

import re
from pathlib import Path

import axes
import django
import pytest
from django.conf import global_settings
from django.utils import translation

DJANGO = Path(django.__file__).parent
SOURCES = [
    DJANGO / "conf/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po",
    DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/sessions/locale/en/LC_MESSAGES/django.po",
    Path(axes.__file__).parent / "locale/de/LC_MESSAGES/django.po",  # axes ships no "en"
]
# The same in both languages, or never shown to a user of this site: language names (the
# site offers two), the page Django shows after installation, technical abbreviations.
SAME = {
    "IPv4",
    "IPv6",
    ", ",
    "…",
    ":",
    ":?.!",
    "%s KB",
    "%s MB",
    "%s GB",
    "%s TB",
    "%s PB",
    "%(size)d byte",
    "%(class_name)s %(instance)s",
    "%(truncated_text)s…",
    "HTTP Accept",
    "URL",
}
NEVER_SHOWN = re.compile(
    r"Django|install|release notes|Tutorial|DEBUG=True|Referer|Topics, references|"
    r"Connect, get help"
)
LANGUAGE_NAMES = {str(name) for _code, name in global_settings.LANGUAGES}


def entries(path: Path) -> list[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of a gettext catalogue, header left out."""
    out: list[tuple[str | None, str, str | None]] = []
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            out.append((current.get("msgctxt"), current["msgid"], current.get("msgid_plural")))
        current.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
        if match:
            key = match.group(1)
            if key in ("msgctxt", "msgid") and "msgid" in current:
                flush()
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] = current.get(key, "") + line[1:-1]
    flush()
    return [
        (c, m.encode().decode("unicode_escape").encode("latin-1").decode(), p) for c, m, p in out
    ]


def untranslated(path: Path) -> list[str]:
    if path.name == "djangojs.po":  # the admin's scripts: their own catalogue, plus ours
        from django.utils.translation.trans_real import DjangoTranslation

        catalog: object = DjangoTranslation(
            "vi", domain="djangojs", localedirs=[DJANGO / "contrib/admin/locale"]
        )
    else:
        catalog = translation
    missing = []
    with translation.override("vi"):
        for context, msgid, plural in entries(path):
            if msgid in SAME or msgid in LANGUAGE_NAMES or NEVER_SHOWN.search(msgid):
                continue
            if plural:
                text = catalog.ngettext(msgid, plural, 1)  # type: ignore[attr-defined]
            elif context:
                text = catalog.pgettext(context, msgid)  # type: ignore[attr-defined]
            else:
                text = catalog.gettext(msgid)  # type: ignore[attr-defined]
            if text == msgid:
                missing.append(msgid)
    return missing


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: "/".join(p.parts[-5:]))
def test_every_library_message_reads_in_vietnamese(source):
    missing = untranslated(source)
    assert not missing, "\n".join(missing)


def test_every_admin_column_and_list_has_a_vietnamese_name():
    """Model names and the columns and filters the admin lists: a field or model left without
    a verbose name shows its English identifier ("CREATED AT", "Ratings")."""
    from django.apps import apps
    from django.contrib import admin
    from django.core.exceptions import FieldDoesNotExist

    missing = [
        f"app {config.label}"
        for config in apps.get_app_configs()
        if config.name.startswith(("cchc.", "axes"))
        and str(config.verbose_name) == config.label.title()
    ]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label in ("auth", "axes", "sessions", "contenttypes"):
            continue  # the libraries' own, translated through their catalogues (above)
        if (
            str(meta.verbose_name_plural) == f"{meta.verbose_name}s"
            or str(meta.verbose_name) == meta.model_name
        ):
            missing.append(f"{meta.label}: model name")
        names = [*model_admin.list_display, *model_admin.list_filter]
        for name in names:
            if not isinstance(name, str):
                continue
            try:
                field = meta.get_field(name.split("__")[0])
            except FieldDoesNotExist:
                continue
            if str(getattr(field, "verbose_name", "")) == field.name.replace("_", " "):
                missing.append(f"{meta.label}.{field.name}")
    assert not missing, "\n".join(missing)
