"""``partnerhub match index rebuild|status``: the vector store seen and rebuilt from the command line.

    partnerhub match index status [--model NAME]    backend, model, count, dimension, where, whether stale
    partnerhub match index rebuild [--model NAME]   build the model's index anew from the stored vectors

``--model`` takes a stored model name (``use-m3@0.2.1``, ``fake-64``) or an embedder's short name
(``use``, ``fake``, ``default``). Without it, ``status`` shows every model that has stored vectors plus the
configured one, and ``rebuild`` rebuilds the configured one.
"""

from __future__ import annotations

from typing import Any, TextIO

from django.core.management.base import CommandError


def add_index_parser(sub: Any) -> None:
    """The ``index`` subcommand, added to ``match``'s subparsers."""
    index = sub.add_parser("index", help="the vector store of the platform: status, rebuild")
    actions = index.add_subparsers(dest="index_action", required=True)
    for name, text in (
        ("status", "backend, model, count, dimension, file or table, and whether it is stale"),
        ("rebuild", "build a model's index anew from the stored vectors"),
    ):
        parser = actions.add_parser(name, help=text)
        parser.add_argument("--model", default=None, help="stored model name or embedder short name")


def resolve_model(name: str | None) -> str:
    """The stored model name for ``name``: itself when vectors are stored under it, else an embedder's."""
    from partnerhub.engines.matching.embedders import MODELS
    from partnerhub.matching.models import Embedding
    from partnerhub.matching.vectors import configured_embedder, embedder_named

    if name is None:
        return configured_embedder().name
    if Embedding.objects.filter(model_name=name).exists():
        return name
    if name == "default" or name in MODELS:
        return embedder_named(name).name
    known = sorted(set(Embedding.objects.values_list("model_name", flat=True)))
    raise CommandError(
        f"no vectors stored for model {name!r}; stored: {', '.join(known) or 'none'}; "
        f"or an embedder: default, {', '.join(MODELS)}"
    )


def _describe(status: Any) -> list[str]:
    state = "stale" if status.stale else "current"
    lines = [
        f"model {status.model_name}",
        f"  backend   {status.backend} ({status.kind})",
        f"  vectors   {'-' if status.count is None else status.count} in the index, "
        f"{status.database_count} stored",
        f"  dimension {status.dim or '-'} (stored: {status.database_dim or '-'})",
        f"  location  {status.location}",
        f"  state     {state}" + (f": {status.reason}" if status.reason else ""),
    ]
    return lines


def run_index(options: dict, stdout: TextIO) -> None:
    """The whole subcommand (imports the store only now: ``manage.py help`` must stay light)."""
    from partnerhub.matching import vectorstore
    from partnerhub.matching.models import Embedding

    if options["index_action"] == "rebuild":
        model_name = resolve_model(options.get("model"))
        status = vectorstore.rebuild(model_name)
        stdout.write("rebuilt\n" + "\n".join(_describe(status)) + "\n")
        return
    if options.get("model"):
        names = [resolve_model(options["model"])]
    else:
        stored = set(Embedding.objects.values_list("model_name", flat=True).distinct())
        names = sorted(stored | {resolve_model(None)})
    statuses = [vectorstore.status(name) for name in names]
    stdout.write("\n".join(line for s in statuses for line in _describe(s)) + "\n")
