"""Exports: rows per second and peak memory for the organisation export, beside a naive writer in the same run.

The export under test is the real one (``reports/exports``: the directory's filter, ``visible_to``, the
columns in the reader's language, ``.iterator()``, CSV through a generator, XLSX in openpyxl's write-only
mode into a temporary file). The baseline is what a first implementation would do: load every row into a
list, build the whole CSV in a ``StringIO`` / the whole workbook in memory, and answer with one response.

Run: `.venv/bin/python bench/bench_exports.py [rows]` (default 50,000). Uses a throw-away SQLite database
under a temporary directory. Time and memory are measured in separate passes (``tracemalloc`` slows Python
down); peak memory is Python's allocations during the pass.
"""

import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc

os.environ["PARTNERHUB_VAR_DIR"] = tempfile.mkdtemp(prefix="partnerhub-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from partnerhub.accounts.models import User  # noqa: E402
from partnerhub.agencies.models import Agency  # noqa: E402
from partnerhub.organisations.models import Organisation  # noqa: E402
from partnerhub.regions.models import Region  # noqa: E402
from partnerhub.reports.exports import datasets, writers  # noqa: E402


def populate(n: int) -> None:
    agency = Agency.objects.get_or_create(slug="bench", defaults={"name": {"en": "Bench"}})[0]
    region = Region.objects.get_or_create(
        slug="bench",
        defaults={"name": {"en": "Bench"}, "native_name": "扬州", "kind": "city", "country": "CN"},
    )[0]
    rows = [
        Organisation(
            slug=f"bench-{i}",
            name=f"扬州汽车零部件{i}有限公司" if i % 2 else f"Maschinenbau {i} GmbH",
            name_latin=f"Yangzhou Qiche Lingbujian {i}" if i % 2 else "",
            kind="sme",
            region=region,
            city="扬州" if i % 2 else "Kaiserslautern",
            country="CN" if i % 2 else "DE",
            owner_agency=agency,
            is_public=True,
            headcount=i % 500,
            description={
                "de": "Wir entwickeln Sensorik für Kunden weltweit.",
                "zh-hans": "我们专注于新能源。",
            },
        )
        for i in range(n)
    ]
    Organisation.objects.bulk_create(rows, batch_size=2000)


def export_of(user):
    request = RequestFactory().get("/en/exports/organisations.csv")
    request.user = user
    return datasets.organisations(request)


def streamed_csv(user) -> int:
    export = export_of(user)
    response = writers.csv_response("o.csv", export.headers, export.rows())
    return sum(len(chunk) for chunk in response.streaming_content)


def streamed_xlsx(user) -> int:
    export = export_of(user)
    response = writers.xlsx_response("o.xlsx", "Organisations", export.headers, export.rows())
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


def naive_csv(user) -> int:
    export = export_of(user)
    objects = list(export.queryset)  # every row in memory at once
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.headers)
    for obj in objects:
        writer.writerow([writers.plain(c.value(obj)) for c in export.columns])
    return len(HttpResponse(buffer.getvalue().encode("utf-8")).content)


def naive_xlsx(user) -> int:
    from openpyxl import Workbook

    export = export_of(user)
    objects = list(export.queryset)
    book = Workbook()  # the normal mode: every cell an object in memory until saved
    sheet = book.active
    sheet.append(export.headers)
    for obj in objects:
        sheet.append([writers.plain(c.value(obj)) for c in export.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return len(HttpResponse(buffer.getvalue()).content)


def measure(fn, user) -> tuple[float, float, int]:
    start = time.perf_counter()
    size = fn(user)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn(user)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, size


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    call_command("migrate", verbosity=0)
    populate(n)
    user = User.objects.create_superuser(email="bench@example.org", password="x")
    print(f"{n:,} organisations, {len(export_of(user).columns)} columns")
    print(f"{'writer':<28} {'rows/s':>9} {'seconds':>8} {'peak MiB':>9} {'file MiB':>9}")
    for label, fn in (
        ("CSV streamed (partnerhub)", streamed_csv),
        ("CSV naive (baseline)", naive_csv),
        ("XLSX write-only (partnerhub)", streamed_xlsx),
        ("XLSX in memory (baseline)", naive_xlsx),
    ):
        seconds, peak, size = measure(fn, user)
        print(f"{label:<28} {n / seconds:>9,.0f} {seconds:>8.1f} {peak:>9.1f} {size / 2**20:>9.1f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
