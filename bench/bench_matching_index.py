"""Vector index: exact numpy brute force (the baseline) beside HNSW, in one run, at several sizes.

For each size and data set it prints build time, resident-memory growth, top-10 latency p50/p95 over single
queries (one query at a time, as a request would ask) and HNSW recall@10 against the exact answer, for a
sweep of the search breadth ``ef``.

Two data sets, because they behave very differently:
- ``random``: i.i.d. Gaussian vectors, normalised. The worst case for any graph index: in 512 dimensions all
  points are almost equidistant, so "the" 10 nearest neighbours are barely nearer than the rest.
- ``lowrank``: normalised vectors from a 32-dimensional latent space plus noise, closer to what sentence
  embeddings look like (their intrinsic dimension is far below 512).

Run: `.venv/bin/python bench/bench_matching_index.py` (10k and 100k, both data sets; a few minutes), or
`--sizes 1000000 --data lowrank` for the million (about 2 GB for the exact matrix plus as much for the graph;
HNSW build takes a quarter of an hour or more on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from partnerhub.engines.matching.index import ExactIndex, HnswIndex

DIM = 512
K = 10
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


def make_vectors(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    basis = np.random.default_rng(1234).standard_normal((32, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        if kind == "random":
            block = rng.standard_normal((m, DIM), dtype=np.float32)
        else:
            block = rng.standard_normal((m, 32), dtype=np.float32) @ basis
            block += 0.5 * rng.standard_normal((m, DIM), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(np.array(samples) * 1000, [50, 95])
    return float(p50), float(p95)


def timed_queries(index, queries: np.ndarray) -> tuple[list[list[str]], list[float]]:
    results, times = [], []
    for q in queries:
        t = time.perf_counter()
        hits = index.search(q, K)
        times.append(time.perf_counter() - t)
        results.append([h[0] for h in hits])
    return results, times


def run(
    kind: str, n: int, n_queries: int, M: int, ef_construction: int, efs: list[int], threads: int
) -> None:
    data = make_vectors(kind, n, seed=n)
    queries = make_vectors(kind, n_queries, seed=7)
    ids = [str(i) for i in range(n)]

    before = rss_mb()
    t = time.perf_counter()
    hnsw = HnswIndex(DIM, M=M, ef_construction=ef_construction, threads=threads, capacity=n)
    for start in range(0, n, 100_000):
        hnsw.add(ids[start : start + 100_000], data[start : start + 100_000])
    build = time.perf_counter() - t
    mem = rss_mb() - before
    hnsw_build, hnsw_mem = build, mem

    before = rss_mb()
    t = time.perf_counter()
    exact = ExactIndex(DIM)
    exact.add(ids, data)
    build = time.perf_counter() - t
    mem = rss_mb() - before
    truth, times = timed_queries(exact, queries)
    p50, p95 = percentiles(times)
    print(
        f"{kind:8} {n:>9,} exact      build {build:7.1f} s  mem {mem:7.0f} MB  "
        f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@10 1.000",
        flush=True,
    )

    hnsw.threads = 1  # a single query is answered on one thread
    for ef in efs:
        hnsw.set_ef(ef)
        found, times = timed_queries(hnsw, queries)
        recall = np.mean([len(set(a) & set(b)) / K for a, b in zip(found, truth, strict=True)])
        p50, p95 = percentiles(times)
        print(
            f"{kind:8} {n:>9,} hnsw ef={ef:<4} build {hnsw_build:7.1f} s  mem {hnsw_mem:7.0f} MB  "
            f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@10 {recall:.3f}",
            flush=True,
        )
    del exact, hnsw, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000])
    parser.add_argument("--data", choices=["random", "lowrank", "both"], default="both")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--M", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=100)
    parser.add_argument(
        "--ef", type=lambda s: [int(x) for x in s.split(",")], default=[32, 64, 128, 256, 512]
    )
    parser.add_argument("--threads", type=int, default=2, help="build threads")
    args = parser.parse_args()
    kinds = ["lowrank", "random"] if args.data == "both" else [args.data]
    print(
        f"dim {DIM}, top-{K}, {args.queries} single queries, hnsw M={args.M} "
        f"ef_construction={args.ef_construction}, build on {args.threads} threads, memory = RSS growth",
        flush=True,
    )
    for n in args.sizes:
        for kind in kinds:
            run(kind, n, args.queries, args.M, args.ef_construction, args.ef, args.threads)


if __name__ == "__main__":
    main()
