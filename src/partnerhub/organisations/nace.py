"""Loading the NACE Rev. 2 classification shipped as CSV (data/nace_part*.csv) into the database."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(DATA_DIR.glob("nace_part*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def section_of(code: str, parents: dict[str, str]) -> str:
    while parents.get(code):
        code = parents[code]
    return code


def load(nace_model) -> int:
    """Insert or update every NACE entry; returns how many there are. Safe to run again."""
    rows = read_rows()
    parents = {row["code"]: row["parent"] for row in rows}
    existing = set(nace_model.objects.values_list("code", flat=True))
    new = []
    for row in rows:  # parents come before children in the file
        values = {
            "parent_id": row["parent"] or None,
            "level": int(row["level"]),
            "section": section_of(row["code"], parents),
            "name_en": row["name_en"],
            "name_de": row["name_de"],
            "name_zh": row["name_zh"],
        }
        if row["code"] in existing:
            nace_model.objects.filter(code=row["code"]).update(**values)
        else:
            new.append(nace_model(code=row["code"], **values))
    nace_model.objects.bulk_create(new, batch_size=500)
    return len(rows)
