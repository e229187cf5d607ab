"""What the load mixes request, read from the database the server runs on (Django must be set up).

The anonymous mix reads the public pages a visitor opens: home, a region, the organisation directory searched
in German and in Chinese with real queries (the trades and places of the generated world), the profile list
and a trip page. The staff mix is the agency's working pages: the pipeline board, the pipeline inbox and the
matching review queue. Paths carry their language prefix; queries are varied so no cache of one URL answers
them all.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation

STAFF_LOGIN = {"email": "projektleitung@wfk.example.org", "password": "partnerhub-demo"}

# Real queries: trades, places and sector words a visitor types, present in the demo and generated worlds.
GERMAN_QUERIES = ["Präzisionstechnik", "Faserverbund", "Software", "Kaiserslautern", "Landstuhl", "Leichtbau",
                  "Lichttechnik", "Umwelttechnik GmbH", "Feinkost", "Energiesysteme", "Automatisierung",
                  "Schiffstechnik", "Fahrzeugteile", "Körperpflege"]  # fmt: skip
CHINESE_QUERIES = ["精密机械", "复合材料", "扬州", "汽车零部件", "照明电器", "船舶设备", "新能源", "环保科技",
                   "软件科技", "南京", "日化用品", "食品", "重工机械", "研究院"]  # fmt: skip
LANGUAGES = ("de", "zh-hans")


def _path(name: str, language: str, *args, query: dict | None = None) -> str:
    with translation.override(language):
        path = reverse(name, args=args)
    return f"{path}?{urlencode(query)}" if query else path


def anonymous_paths() -> dict[str, list[str]]:
    """Per page group the paths the anonymous mix picks from at random."""
    from partnerhub.delegations.models import Delegation
    from partnerhub.regions.models import Region

    regions = list(Region.objects.order_by("pk").values_list("slug", flat=True))
    trips = list(
        Delegation.objects.filter(is_public=True).order_by("start_date", "pk").values_list("slug", flat=True)
    )
    return {
        "home": [_path("core:home", lang) for lang in LANGUAGES],
        "region": [_path("regions:detail", lang, slug) for slug in regions for lang in LANGUAGES],
        "search (de)": [_path("organisations:directory", "de", query={"q": q}) for q in GERMAN_QUERIES],
        "search (zh)": [_path("organisations:directory", "zh-hans", query={"q": q}) for q in CHINESE_QUERIES],
        "profile list": [_path("profiles:list", lang) for lang in LANGUAGES],
        "trip": [_path("delegations:detail", lang, slug) for slug in trips[:12] for lang in LANGUAGES],
    }


def staff_paths() -> dict[str, list[str]]:
    """The signed-in agency staff's pages, in German (the demo project leader's language)."""
    return {
        "pipeline board": [_path("pipeline:board", "de", kind) for kind in ("ideas", "profiles")],
        "pipeline inbox": [_path("pipeline:inbox", "de")],
        "matching queue": [_path("matching:queue", "de")],
    }


def targets() -> dict:
    """Everything the locustfile needs, as one JSON-able dict."""
    return {
        "anonymous": anonymous_paths(),
        "staff": staff_paths(),
        "login": {**STAFF_LOGIN, "path": _path("account_login", "de")},
    }


def write(path: Path) -> dict:
    data = targets()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return data
