"""Directory search: time per query at 2,000 and 20,000 organisations, beside a baseline in the same run.

Baseline: what a first implementation would do without a prepared search document — OR-ed `icontains` over
name, transliteration and description columns (which also cannot find a Chinese name by pinyin, nor a
company by the label of its NACE sector). Run: `.venv/bin/python bench/bench_directory_search.py`.
Uses a throw-away SQLite database under a temporary directory.
"""

import os
import random
import statistics
import sys
import tempfile
import time

os.environ["PARTNERHUB_VAR_DIR"] = tempfile.mkdtemp(prefix="partnerhub-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Q  # noqa: E402

from partnerhub.agencies.models import Agency  # noqa: E402
from partnerhub.engines.textsearch import build_document  # noqa: E402
from partnerhub.engines.transliteration import transliterate  # noqa: E402
from partnerhub.organisations.models import Organisation  # noqa: E402
from partnerhub.organisations.search import search  # noqa: E402
from partnerhub.regions.models import Region  # noqa: E402

DE_WORDS = [
    "Maschinenbau",
    "Sensorik",
    "Robotik",
    "Software",
    "Verbundwerkstoffe",
    "Logistik",
    "Müller",
    "Präzision",
]
ZH_WORDS = ["汽车零部件", "船舶", "照明", "牙刷", "新能源", "半导体", "食品", "纺织"]
QUERIES = ["maschinenbau", "Müller präzision", "汽车零部件", "yangzhou", "船舶 新能源"]


def populate(n: int) -> None:
    rng = random.Random(n)
    agency = Agency.objects.get_or_create(slug="bench", defaults={"name": {"en": "Bench"}})[0]
    region = Region.objects.get_or_create(
        slug="bench",
        defaults={"name": {"en": "Bench"}, "native_name": "扬州", "kind": "city", "country": "CN"},
    )[0]
    Organisation.objects.all().delete()
    rows = []
    for i in range(n):
        if i % 2:
            name = f"扬州{rng.choice(ZH_WORDS)}{i}有限公司"
            description = {"zh-hans": "我们专注于" + "、".join(rng.sample(ZH_WORDS, 3)) + "。"}
        else:
            name = f"{rng.choice(DE_WORDS)} {i} GmbH"
            description = {
                "de": "Wir entwickeln " + ", ".join(rng.sample(DE_WORDS, 3)) + " für Kunden weltweit."
            }
        latin = transliterate(name)
        rows.append(
            Organisation(
                slug=f"bench-{i}",
                name=name,
                name_latin=latin,
                kind="sme",
                region=region,
                country="CN",
                owner_agency=agency,
                is_public=True,
                description=description,
                search_document=build_document([name, latin, *description.values()]),
            )
        )
    Organisation.objects.bulk_create(rows, batch_size=1000)


def baseline(query: str):
    condition = Q()
    for term in query.split():
        condition |= Q(name__icontains=term) | Q(name_latin__icontains=term) | Q(description__icontains=term)
    return Organisation.objects.filter(condition)


def timed(fn, query: str, repeat: int = 15) -> tuple[float, int]:
    samples, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = len(list(fn(query).values_list("pk", flat=True)[:24]))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, count


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"{'orgs':>6}  {'query':<20} {'partnerhub ms':>14} {'hits':>5}   {'baseline ms':>12} {'hits':>5}")
    for n in (2_000, 20_000):
        populate(n)
        for query in QUERIES:
            ours, ours_hits = timed(lambda q: search(Organisation.objects.all(), q), query)
            base, base_hits = timed(baseline, query)
            print(f"{n:>6}  {query:<20} {ours:>14.2f} {ours_hits:>5}   {base:>12.2f} {base_hits:>5}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
