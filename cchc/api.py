"""The JSON API at /api/v1/: each app mounts its ninja Router here."""

from cchc.core.api import build_api

api = build_api()
