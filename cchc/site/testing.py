"""Pytest fixtures shared by every app: reference data once per session, and personas."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load Sơn La's reference data once into the test database."""
    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        call_command("load_reference_data", verbosity=0, stdout=quiet)


@pytest.fixture
def admin_user(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(
        "quantri", "quantri@example.org", "mat-khau-Quan-tri-1", full_name="Quản trị viên"
    )


@pytest.fixture
def outsider(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("nguoingoai", password="mat-khau-Ngoai-1")


@pytest.fixture
def browser_page(live_server: Any, reference_data: Any) -> Any:
    """A Playwright page in Debian's Chromium; skipped with a reason where it is absent."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """Transactional tests (live server, real parallel transactions) empty every table when
    they end; pytest-django runs them after all the others, and each one puts the reference
    data back at its start when it is missing."""
    from cchc.organizations.models import Desk  # models load once Django is set up

    if not Desk.objects.exists():
        with open(os.devnull, "w") as quiet:
            call_command("load_reference_data", verbosity=0, stdout=quiet)


def open_in_libreoffice(data: bytes, suffix: str, tmp_path: Path) -> bytes:
    """Convert a produced file to PDF headless, as an official's LibreOffice would open it, and
    return the PDF; skips where LibreOffice is not installed (CI installs it)."""
    import subprocess

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed; the content was checked with python libraries")
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"tep.{suffix}"
    path.write_bytes(data)
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert (tmp_path / "tep.pdf").stat().st_size > 1000
    return (tmp_path / "tep.pdf").read_bytes()


@pytest.fixture(autouse=True)
def no_cached_fragments() -> Any:
    """Pages cache fragments (the public statistics) in the shared cache: none outlives its
    test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def no_cached_maintenance() -> Any:
    """The maintenance windows are cached a minute per process: no test sees another's."""
    from cchc.operations.services import forget_windows

    forget_windows()
    yield
    forget_windows()
