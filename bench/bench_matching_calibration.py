"""Refit the 0–100 fit curves of engines/matching/calibration.py on the labelled sets and check them.

For every labelled set in bench/data (profile_pairs and the sector_pairs_N present), each on its own
candidate pool, the one ranking path (engines/matching/ranking.py) scores each query's shortlist with
kind/sectors/region, as the platform does. Every scored pair is a sample: 1 when the candidate is the query's
counterpart, 0 otherwise. A logistic curve on the total is fitted by maximum likelihood, once for USE alone
and once for USE with E5 re-scoring. Printed: the constants to paste into ``CURVES``, then, per language
pair and per kind of pair, the mean fit against the observed share of counterparts (a curve that means the
same everywhere has both close in every row), and what each candidate ``MIN_FIT`` keeps. Offer–request and
research–research pairs get curves of their own (``calibration.GROUPS``): one curve on the total
over-promised research pairs threefold; the other kinds have no counterparts in the sets and use the curve
of all pairs.

Run: ``.venv/bin/python bench/bench_matching_calibration.py``
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matching_quality import DATA, CachedDocuments, item, read_set  # noqa: E402

from partnerhub.engines.matching import calibration, ranking  # noqa: E402
from partnerhub.engines.matching.embedders import e5_available, make_embedder  # noqa: E402


def kind_pair(a: str | None, b: str | None) -> str:
    if not a or not b:
        return "no kind"
    if a == b == "research_cooperation":
        return "research-research"
    da, db = a.rsplit("_", 1)[-1], b.rsplit("_", 1)[-1]
    if {da, db} == {"offer", "request"}:
        return "offer-request"
    return "same direction" if da == db else "research-other"


def samples(use, second, embed):
    rows = []  # (total, label, language pair, kind pair)
    prefixes = ["profile_pairs"] + sorted(
        p.name.removesuffix("_labels.jsonl") for p in DATA.glob("sector_pairs_*_labels.jsonl")
    )
    for prefix in prefixes:
        queries, candidates, labels = read_set(prefix)
        ranked = ranking.rank_texts(
            [item(q, True) for q in queries],
            [item(c, True) for c in candidates],
            use,
            second=second,
            embed=embed,
        )
        for q, row in zip(queries, ranked, strict=True):
            for s in row:
                c = candidates[s.candidate]
                rows.append(
                    (
                        s.total,
                        int(c["id"] in labels[q["id"]]),
                        f"{q['lang']}->{c['lang']}",
                        kind_pair(q.get("kind"), c.get("kind")),
                        (q.get("kind"), c.get("kind")),
                    )
                )
    return rows


def report(name: str, rows) -> None:
    totals = np.array([r[0] for r in rows])
    labels = np.array([r[1] for r in rows])
    groups_of = np.array([calibration.pair_group(*r[4]) for r in rows])
    curves = {"all": calibration.Curve(*calibration.fit_logistic(totals, labels))}
    for group in calibration.GROUPS:
        mask = groups_of == group
        if labels[mask].min() != labels[mask].max():
            curves[group] = calibration.Curve(*calibration.fit_logistic(totals[mask], labels[mask]))
    fits = np.array([curves.get(g, curves["all"]).fit(t) for t, g in zip(totals, groups_of, strict=True)])
    print(f"\n{name}: {len(rows)} scored pairs, {labels.sum()} counterparts")
    print(f'    "{name}": {{')
    for group, curve in curves.items():
        print(f'        "{group}": Curve(slope={curve.slope:.2f}, intercept={curve.intercept:.2f}),')
    print("    },")
    for title, column in (("language pair", 2), ("kind of pair", 3)):
        groups = defaultdict(list)
        for i, r in enumerate(rows):
            groups[r[column]].append(i)
        print(f"  {title:<18} {'pairs':>6} {'mean fit':>9} {'observed %':>11}")
        for group, idx in sorted(groups.items()):
            print(f"  {group:<18} {len(idx):>6} {fits[idx].mean():>9.1f} {100 * labels[idx].mean():>11.1f}")
    print(f"  {'MIN_FIT':>7} {'counterparts kept':>18} {'others dropped':>15}")
    for threshold in (2, 3, 5, 10, 20, 30):
        kept = (fits[labels == 1] >= threshold).mean()
        dropped = (fits[labels == 0] < threshold).mean()
        print(f"  {threshold:>7} {kept:>18.3f} {dropped:>15.3f}")


def main() -> int:
    embed = CachedDocuments()
    use = make_embedder("use")
    report("use", samples(use, None, embed))
    if e5_available():
        report("use+e5", samples(use, make_embedder("e5"), embed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
