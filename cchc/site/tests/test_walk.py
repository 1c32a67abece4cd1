"""A walk through the site as each persona, in Debian's Chromium: every page their menus offer
and the objects those pages list, checked for what a person would notice — an error page, a
console error, a content-security-policy refusal, a stylesheet or script that does not load,
English left in the Vietnamese interface, a page wider than the screen at 1366 and 390 px.

With CCHC_SCREENSHOTS=<folder> (`make screenshots`) each page is also saved there at both
widths, for a person to look at during review."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from cchc.dossiers.testing import build_world, walk_to_result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
MAX_PAGES = 45  # per persona: the menu, then what the pages list, breadth first
# Not pages: files, the API's own documents, sign-out, language switch, kiosk binding, and the
# national systems' ends (the VNeID sign-in leaves for the identity provider).
SKIP = re.compile(
    r"(\.(pdf|xlsx|docx|csv|yaml|json)$)|/xuat/|/api/(?!v1/docs)|/dang-xuat/|/i18n/|/static/|/quan-tri/.+/"
    r"(add|delete|history)/|format=|/tai-ve|/tep/|/giay-to/|/ket-qua/|/bieu-mau/|/mau-don/"
    r"|/minh-chung/|/quay/|/man-hinh/|/tich-hop/"
)
# English words that Vietnamese pages must not show (whole words, outside code and data).
ENGLISH = re.compile(
    r"\b(Show counts|Hide counts|Select an option|Access attempts?|Run|Save|Delete|Add|"
    r"Search|Filter|Home|Log ?out|Password|Username|This password|Required|Submit|Cancel|"
    r"Next|Previous|Page|None|True|False)\b"
)

WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__problems.push('CSP: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def _personas(world: Any, admin: Any) -> dict[str, Any]:
    return {
        "anonymous": None,
        "citizen": _citizen(),
        "unassigned": world.citizen,
        "desk": world.receptionist,
        "specialist": world.specialist,
        "leader": world.leader,
        "supervisor": world.supervisor,
        "reform_officer": world.reform_officer,
        "administrator": admin,
    }


def _objects(world: Any) -> None:
    """Real objects for the lists to show: dossiers in several states, one the citizen's."""
    d = world.received(moment="2026-11-23 09:00")
    walk_to_result(world, d)
    world.received(code="1.001193", moment="2026-11-24 09:00")
    mine = world.received(moment="2026-11-25 09:00")
    type(mine).objects.filter(pk=mine.pk).update(applicant_user=_citizen())


def _citizen() -> Any:
    """A citizen's portal account (the world's "congdan" is an official without assignment)."""
    from django.utils import timezone

    from cchc.accounts.models import AccountKind, User

    citizen, _created = User.objects.get_or_create(
        username="dan@example.org",
        defaults={
            "kind": AccountKind.CITIZEN,
            "full_name": "Lò Thị Dân",
            "email": "dan@example.org",
            "verified_at": timezone.now(),
        },
    )
    return citizen


def _sign_in(context: Any, user: Any, base: str) -> None:
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav a[href], main a[href], footer a[href], .dropdown-menu a[href]",
        "els => els.map(e => e.getAttribute('href'))",
    )
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if SKIP.search(path) or "page=" in path or "sau=" in path:
            continue
        out.append(path)
    return out


def _visible_text(page: Any) -> str:
    return page.evaluate(
        """() => {
          const clone = document.body.cloneNode(true);
          clone.querySelectorAll('script, style, code, pre, .font-monospace, option, '
            + '[lang="en"], .swagger-ui').forEach(e => e.remove());
          return clone.innerText;
        }"""
    )


def _shoot(page: Any, persona: str, path: str, width: int) -> None:
    folder = os.environ.get("CCHC_SCREENSHOTS")
    if not folder:
        return
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "trang-chu"
    target = Path(folder) / persona / f"{name}-{width}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)


@pytest.mark.parametrize(
    "persona",
    [
        "anonymous",
        "citizen",
        "unassigned",
        "desk",
        "specialist",
        "leader",
        "supervisor",
        "reform_officer",
        "administrator",
    ],
)
def test_every_page_a_persona_can_reach_looks_right(browser_page, live_server, persona):
    world = build_world()
    _objects(world)
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(
        "quantri", "quantri@example.org", "mat-khau-Quan-tri-1", full_name="Quản trị viên"
    )
    user = _personas(world, admin)[persona]
    page = browser_page
    base = live_server.url
    context = page.context
    _sign_in(context, user, base)
    context.add_init_script(WATCH)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: console {m.type}: {m.text}")
            if m.type == "error" and "status of 4" not in m.text  # a refused page: reported below
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(base) and r.request.resource_type != "document"
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"{page.url}: failed {r.url} ({r.failure})")
            # a request cut short by the walk moving on is not a failure a person would see
            if "ERR_ABORTED" not in (r.failure or "")
            else None
        ),
    )

    start = (
        "/"
        if user is not None and not getattr(user, "is_public_account", False)
        else ("/dich-vu-cong/")
    )
    queue, seen = [(start, "")], set()
    if user is not None and getattr(user, "is_public_account", False):
        queue.append(("/dich-vu-cong/ho-so-cua-toi/", ""))
    while queue and len(seen) < MAX_PAGES:
        path, source = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(base + path)
        assert response is not None
        if response.status >= 400:
            problems.append(f"{path} (linked from {source or 'the start'}): HTTP {response.status}")
            continue
        path = urlsplit(page.url).path + (
            f"?{urlsplit(page.url).query}" if urlsplit(page.url).query else ""
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if page.locator("canvas").count():  # charts redraw after a resize, not at once
                page.wait_for_timeout(400)
            wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if wide > 1:
                problems.append(f"{path}: {wide}px wider than the screen at {width}px")
            _shoot(page, persona, path, width)
        problems += [f"{path}: {p}" for p in page.evaluate("window.__problems || []")]
        if "/api/" not in path:
            english = sorted(set(ENGLISH.findall(_visible_text(page))))
            if english:
                problems.append(f"{path}: English in the Vietnamese interface: {english}")
        for link in _links(page, base):
            if link not in seen:
                queue.append((link, path))
    assert len(seen) >= 3, seen  # the walk went somewhere
    assert not problems, f"{persona}:\n" + "\n".join(problems)
