"""The default stages every agency starts with (renamable and extendable in the admin)."""

from django.db import transaction

from partnerhub.pipeline.models import Stage

DEFAULT_STAGES = [
    ("submitted", Stage.Outcome.OPEN, {"de": "Eingereicht", "en": "Submitted", "zh-hans": "已提交"}),
    ("screening", Stage.Outcome.OPEN, {"de": "Prüfung", "en": "Screening", "zh-hans": "筛选评估"}),
    ("matching", Stage.Outcome.OPEN, {"de": "Partnersuche", "en": "Matching", "zh-hans": "寻找匹配"}),
    ("in_contact", Stage.Outcome.OPEN, {"de": "Im Kontakt", "en": "In contact", "zh-hans": "已建立联系"}),
    (
        "partnership_agreed",
        Stage.Outcome.WON,
        {"de": "Partnerschaft vereinbart", "en": "Partnership agreed", "zh-hans": "已达成合作"},
    ),
    ("completed", Stage.Outcome.WON, {"de": "Abgeschlossen", "en": "Completed", "zh-hans": "已完成"}),
    (
        "not_pursued",
        Stage.Outcome.LOST,
        {"de": "Nicht weiterverfolgt", "en": "Not pursued", "zh-hans": "不再跟进"},
    ),
]


@transaction.atomic
def stages_for(agency) -> list[Stage]:
    """The agency's stages in board order, creating the defaults the first time."""
    root = agency.root
    if not Stage.objects.filter(agency=root).exists():
        Stage.objects.bulk_create(
            Stage(agency=root, key=key, name=name, position=index * 10, outcome=outcome)
            for index, (key, outcome, name) in enumerate(DEFAULT_STAGES)
        )
    return list(Stage.objects.filter(agency=root).order_by("position", "pk"))


def first_stage(agency) -> Stage:
    return stages_for(agency)[0]
