"""The organisation directory's search and filters, on top of ``visible_to``."""

from django.db.models import Q, QuerySet

from partnerhub.engines.textsearch import query_terms


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Organisations whose search document contains every term of ``query`` (German, English, Chinese)."""
    terms = query_terms(query or "")
    for term in terms:
        queryset = queryset.filter(search_document__contains=term)
    return queryset


def sector_q(code: str) -> Q:
    """Organisations with a sector in the given NACE section (letter) or under the given code."""
    if len(code) == 1 and code.isalpha():
        return Q(sectors__section=code.upper())
    return Q(sectors__code__startswith=code)
