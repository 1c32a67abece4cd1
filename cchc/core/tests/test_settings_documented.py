"""Every environment variable the settings read is documented in `.env.example`, as the
settings promise a province's IT team (a variable nobody can find is a variable nobody sets)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_read_from_the_environment_is_in_env_example():
    source = (ROOT / "cchc" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_(?:str|int|bool|list)\(\s*"([A-Z0-9_]+)"', source))
    assert len(read) > 50  # the pattern still finds them
    documented = set(
        re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert sorted(read - documented) == []
