"""Text helpers for Vietnamese: folding diacritics for search (tìm kiếm không dấu)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s.]", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case `text`, drop Vietnamese diacritics (đ → d) and collapse white space.

    "Giấy phép Xây dựng" and "giay phep xay dung" fold to the same string, so a search
    column filled with `fold()` matches on SQLite and PostgreSQL alike.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = _NON_WORD.sub(" ", stripped.lower())
    return _SPACES.sub(" ", stripped).strip()


def search_terms(query: str) -> list[str]:
    """Split a user query into folded words; order does not matter to the caller."""
    return [term for term in fold(query).split(" ") if term]


# Abbreviations officials write in procedure names; searching the full words finds them too.
ABBREVIATIONS = {
    "gpxd": "giấy phép xây dựng",
    "gcn": "giấy chứng nhận",
    "qsdđ": "quyền sử dụng đất",
    "attp": "an toàn thực phẩm",
    "htx": "hợp tác xã",
    "xntthn": "xác nhận tình trạng hôn nhân",
    "btxh": "bảo trợ xã hội",
    "đkkd": "đăng ký kinh doanh",
}


def search_text(text: str) -> str:
    """`fold(text)` followed by the expansion of any abbreviation it contains, and by the
    abbreviation of any phrase it spells out: "gpxd" finds "Cấp giấy phép xây dựng" and
    "giay phep xay dung" finds "Gia hạn GPXD"."""
    folded = fold(text)
    words = set(folded.split(" "))
    padded = f" {folded} "
    extra = []
    for short, full in ABBREVIATIONS.items():
        if fold(short) in words:
            extra.append(fold(full))
        elif f" {fold(full)} " in padded:
            extra.append(fold(short))
    return " ".join([folded, *extra])
