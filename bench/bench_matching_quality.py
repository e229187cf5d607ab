"""Matching quality on the labelled profile pairs (bench/data): recall@1/@10 with and without the structured
part, through the `partnerhub match rank` contract, for each single packaged model and for the default
(USE shortlists re-scored with E5, both language-centred).

Run: `.venv/bin/python bench/bench_matching_quality.py [CONFIG ...]` with configs from CONFIGS (default: all).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
STRUCTURE = ("kind", "sectors", "region")


def strip(path: Path, target: Path) -> None:
    with path.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as dst:
        for line in src:
            row = {k: v for k, v in json.loads(line).items() if k not in STRUCTURE}
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")


# label → (model, re-ranking)
CONFIGS = {
    "use": ("use", "none"),
    "e5": ("e5", "none"),
    "default": ("use", "auto"),
}


def run(queries: Path, candidates: Path, output: Path, model: str, rerank: str) -> None:
    command = [str(ROOT / ".venv/bin/partnerhub"), "match", "rank", "--queries", str(queries),
               "--candidates", str(candidates), "--k", "10", "--output", str(output), "--model", model,
               "--rerank", rerank]  # fmt: skip
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)


def recall(output: Path, labels: dict[str, set[str]]) -> tuple[float, float]:
    at1 = at10 = 0
    rows = [json.loads(line) for line in output.open(encoding="utf-8")]
    for row in rows:
        ids = [r["id"] for r in row["results"]]
        relevant = labels[row["query"]]
        at1 += bool(relevant & set(ids[:1]))
        at10 += bool(relevant & set(ids[:10]))
    return at1 / len(rows), at10 / len(rows)


def main() -> None:
    labels = {}
    for line in (DATA / "profile_pairs_labels.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        labels[row["query"]] = set(row["relevant"])
    configs = sys.argv[1:] or list(CONFIGS)
    print(f"{'ranking':<10} {'structure':<10} {'recall@1':>9} {'recall@10':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        plain_q, plain_c = tmp_path / "q.jsonl", tmp_path / "c.jsonl"
        strip(DATA / "profile_pairs_queries.jsonl", plain_q)
        strip(DATA / "profile_pairs_candidates.jsonl", plain_c)
        for config in configs:
            model, rerank = CONFIGS[config]
            for label, (q, c) in {
                "without": (plain_q, plain_c),
                "with": (DATA / "profile_pairs_queries.jsonl", DATA / "profile_pairs_candidates.jsonl"),
            }.items():
                out = tmp_path / f"{config}-{label}.jsonl"
                run(q, c, out, model, rerank)
                r1, r10 = recall(out, labels)
                print(f"{config:<10} {label:<10} {r1:>9.3f} {r10:>10.3f}", flush=True)


if __name__ == "__main__":
    main()
