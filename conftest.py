"""Shared pytest fixtures: personas and reference data (see cchc/site/testing.py)."""

pytest_plugins = ["cchc.site.testing", "cchc.integrations.testing"]
