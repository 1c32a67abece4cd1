"""Issue 16: a Vietnamese label must not be a word Django's own catalogues translate.

Our msgids are the Vietnamese text itself, so in the Vietnamese interface gettext must give
each one back unchanged. "Thu" (collect a fee) came out "Thứ 5" because Django's catalogue
has the English weekday "Thu". Every msgid of the project is checked, not that one.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext


def test_no_label_of_ours_is_translated_by_another_catalogue_in_vietnamese():
    mo = Path(settings.BASE_DIR) / "cchc/locale/en/LC_MESSAGES/django.mo"
    with mo.open("rb") as f:
        msgids = [k for k in stdlib_gettext.GNUTranslations(f)._catalog if isinstance(k, str)]
    collisions = []
    with translation.override("vi"):
        for key in msgids:
            if not key:
                continue  # the header
            context, _, msgid = key.rpartition("\x04")
            shown = pgettext(context, msgid) if context else gettext(msgid)
            if shown != msgid:
                collisions.append(f"{msgid!r} → {shown!r}")
    assert not collisions, "use a context (pgettext) or a longer label:\n" + "\n".join(collisions)
