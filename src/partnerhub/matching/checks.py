"""System checks for matching: the vector backend that was asked for must be one that can run here.

Only ``MATCHING_VECTOR_BACKEND=pgvector`` makes this check touch the database (one catalogue query in a
savepoint); ``auto`` and ``memory`` always work and are never a reason to connect during ``check``.
"""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import connections, transaction

from partnerhub.engines.matching.index import pgvector_state


@register()
def vector_backend_is_available(app_configs, **kwargs):
    from partnerhub.matching.vectorstore import CHOICES

    choice = settings.MATCHING_VECTOR_BACKEND
    if choice not in CHOICES:
        return [
            Error(
                f"MATCHING_VECTOR_BACKEND is {choice!r}",
                hint=f"Use one of: {', '.join(CHOICES)} (auto picks pgvector when the database has it).",
                id="matching.E001",
            )
        ]
    if choice != "pgvector":
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return [
            Error(
                f"MATCHING_VECTOR_BACKEND is 'pgvector', but the database is {connection.vendor}",
                hint="pgvector needs PostgreSQL with the 'vector' extension; set MATCHING_VECTOR_BACKEND=auto "
                "or memory to use the in-process index.",
                id="matching.E002",
            )
        ]
    try:
        connection.ensure_connection()
    except Exception as exc:
        return [
            Warning(
                f"MATCHING_VECTOR_BACKEND is 'pgvector', but the database could not be asked for it: {exc}",
                id="matching.W001",
            )
        ]

    def run(sql: str):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    state = pgvector_state(run)
    if state == "missing":
        return [
            Error(
                "MATCHING_VECTOR_BACKEND is 'pgvector', but this PostgreSQL server has no 'vector' extension",
                hint="Install pgvector on the server (e.g. the postgresql-NN-pgvector package), or set "
                "MATCHING_VECTOR_BACKEND=auto to use the in-process index until then. Matching falls back "
                "to the in-process index meanwhile.",
                id="matching.E003",
            )
        ]
    if state == "available":
        return [
            Warning(
                "MATCHING_VECTOR_BACKEND is 'pgvector'; the 'vector' extension is on the server but not yet "
                "created in this database",
                hint="It is created on first use when the database user may (a superuser); otherwise run "
                "CREATE EXTENSION vector; as one. Until then matching uses the in-process index.",
                id="matching.W002",
            )
        ]
    return []
