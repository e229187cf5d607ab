"""Compiling and checking the gettext catalogues with polib, so no GNU gettext is needed to install."""

from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings


@dataclass
class CatalogueReport:
    path: Path
    untranslated: int
    fuzzy: int
    total: int

    @property
    def complete(self) -> bool:
        return self.untranslated == 0 and self.fuzzy == 0


def catalogues() -> list[Path]:
    found: list[Path] = []
    for root in settings.LOCALE_PATHS:
        found.extend(sorted(Path(root).glob("*/LC_MESSAGES/*.po")))
    return found


def is_stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalogue(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(mo_path))
    return mo_path


def compile_all(only_stale: bool = False) -> list[Path]:
    return [compile_catalogue(po) for po in catalogues() if not only_stale or is_stale(po)]


def report(po_path: Path) -> CatalogueReport:
    catalogue = polib.pofile(str(po_path))
    live = [e for e in catalogue if not e.obsolete]
    return CatalogueReport(
        path=po_path,
        untranslated=len(catalogue.untranslated_entries()),
        fuzzy=len(catalogue.fuzzy_entries()),
        total=len(live),
    )
