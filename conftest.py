"""Shared pytest fixtures: personas and reference data (see cchc/core/testing.py)."""

pytest_plugins = ["cchc.core.testing"]
