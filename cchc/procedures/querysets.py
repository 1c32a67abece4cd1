from django.db.models import QuerySet

from cchc.core.text import search_terms

from .models import ProcedureVersion


def search_versions(qs: QuerySet[ProcedureVersion], query: str) -> QuerySet[ProcedureVersion]:
    """Diacritics- and order-insensitive search: every folded word must appear."""
    for term in search_terms(query):
        qs = qs.filter(search_text__contains=term)
    return qs
