"""History in sentences: every action the code records reads as a translated sentence, never a raw code."""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from partnerhub.core import audit
from partnerhub.core.history import SENTENCES, describe, has_sentence
from partnerhub.core.models import AuditEntry
from partnerhub.pipeline import services as pipeline
from partnerhub.pipeline.stages import stages_for

SOURCE = Path(__file__).resolve().parent.parent / "src" / "partnerhub"
LOCALE = SOURCE / "locale"
RECORDERS = {"record", "record_step"}


def make_idea(world, **values):
    from django.utils import timezone

    from partnerhub.ideas.models import ProjectIdea
    from partnerhub.privacy.models import PrivacyNotice

    defaults = dict(
        agency=world.home_agency, title="Leichtbau", organisation_name="Hengtong", organisation_kind="sme",
        organisation_country="CN", contact_name="王晓明", contact_email="wang@hengtong.example.cn",
        language="zh-hans", consent_given_at=timezone.now(), privacy_notice=PrivacyNotice.current(),
        email_confirmed_at=timezone.now(), area="technology", description="Leichtbau mit Partnern",
    )  # fmt: skip
    return ProjectIdea.objects.create(**{**defaults, **values})


CODE = re.compile(r"\b[a-z]+\.[a-z_]+\b|\b[a-z]+_[a-z_]+\b")


def _name(node) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


@pytest.fixture(autouse=True)
def _every_module_loaded():
    """Some apps register sentences in the modules their views import: load the URLconf as a server does."""
    from django.urls import get_resolver

    assert get_resolver().url_patterns


def _dynamic(prefix: str) -> list[str]:
    """The actions an f-string can record, from the choices it is built of. A new pattern fails here."""
    from partnerhub.delegations.models import MeetingRequest
    from partnerhub.matching.models import Suggestion

    statuses = {
        "matching.suggestion_": [Suggestion.Status.ACCEPTED, Suggestion.Status.DISMISSED],
        "meetings.request_": [MeetingRequest.Status.ACCEPTED, MeetingRequest.Status.DECLINED],
    }
    if prefix not in statuses:
        raise AssertionError(f"an audit action built at run time that this test does not know: {prefix}…")
    return [prefix + status for status in statuses[prefix]]


def _expand(joined: ast.JoinedStr) -> set[str]:
    """An f-string's actions: ``{'a' if x else 'b'}`` gives both; any other part comes from _dynamic."""
    texts = [""]
    for part in joined.values:
        if isinstance(part, ast.Constant):
            texts = [t + part.value for t in texts]
            continue
        value = part.value
        if (
            isinstance(value, ast.IfExp)
            and isinstance(value.body, ast.Constant)
            and isinstance(value.orelse, ast.Constant)
        ):
            texts = [t + choice for t in texts for choice in (value.body.value, value.orelse.value)]
        elif texts == [""] or "." not in texts[0]:
            return set()  # the kind itself is variable (save_audited): its callers are collected instead
        else:
            return {a for t in texts for a in _dynamic(t)}
    return set(texts)


def recorded_actions() -> set[str]:
    """Every action code in the source: literals (also inside conditionals), constants, f-strings, and the
    ``<kind>.created/updated`` of save_audited."""
    actions: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants: dict[str, set[str]] = {}  # a name an action is assigned to (module constant or local)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                texts = {
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        constants.setdefault(target.id, set()).update(texts)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name == "save_audited":
                kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
                if isinstance(kind, ast.Constant):
                    actions |= {f"{kind.value}.created", f"{kind.value}.updated"}
                continue
            if name not in RECORDERS or len(node.args) < 2 or path.name == "audit.py":
                continue
            arg = node.args[1]
            inside_fstrings = {
                id(part)
                for joined in ast.walk(arg)
                if isinstance(joined, ast.JoinedStr)
                for part in joined.values
            }
            for sub in ast.walk(arg):
                if id(sub) in inside_fstrings:
                    continue
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "." in sub.value:
                    actions.add(sub.value)
                elif isinstance(sub, ast.Name) and sub.id in constants:
                    actions |= constants[sub.id]
                elif isinstance(sub, ast.JoinedStr):
                    actions |= _expand(sub)
    return {a for a in actions if re.fullmatch(r"[a-z_]+\.[a-z_]+", a)}


def test_the_source_records_the_actions_this_test_knows_of():
    actions = recorded_actions()
    assert {
        "pipeline.stage_changed",
        "idea.confirmed",
        "meetings.request_accepted",
        "region.updated",
    } <= actions
    assert "delegation.reminder_sent" in actions  # a module constant
    assert "matching.suggestion_dismissed" in actions  # an f-string


@pytest.mark.parametrize("action", sorted(recorded_actions()))
@pytest.mark.parametrize("language", ["de", "zh-hans"])
@pytest.mark.django_db
def test_every_recorded_action_reads_as_a_translated_sentence(action, language):
    assert has_sentence(action), f"no history sentence for {action}"
    entry = AuditEntry(action=action, data={})
    with translation.override("en"):
        english = describe(entry)
    with translation.override(language):
        text = describe(entry)
    assert text != english, f"{action} is not translated into {language}: {text}"
    assert action not in text and not CODE.search(text), text


def _history_msgids() -> set[str]:
    """Every text a history module or the core registry passes to gettext."""
    msgids = set()
    paths = [*SOURCE.glob("*/history.py"), SOURCE / "core" / "history.py"]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in {"_", "_l"} and node.args:
                if isinstance(node.args[0], ast.Constant):
                    msgids.add(node.args[0].value)
    return msgids


@pytest.mark.parametrize("catalogue", ["de", "zh_Hans"])
def test_every_variant_of_every_sentence_is_translated(catalogue):
    entries = {e.msgid: e for e in polib.pofile(str(LOCALE / catalogue / "LC_MESSAGES" / "django.po"))}
    msgids = _history_msgids()
    assert len(msgids) > 60
    missing = [m for m in msgids if m not in entries or not entries[m].msgstr or entries[m].msgstr == m]
    assert not missing, missing
    fuzzy = [m for m in msgids if "fuzzy" in entries[m].flags]
    assert not fuzzy, fuzzy


def test_every_registered_sentence_is_a_known_action_or_kept_for_old_entries():
    unknown = set(SENTENCES) - recorded_actions()
    assert not unknown, f"sentences for actions nothing records: {unknown}"


@pytest.mark.django_db
def test_a_stage_change_names_the_stage_in_the_readers_language(world, agency_staff):
    idea = make_idea(world)
    stages = {s.key: s for s in stages_for(world.home_agency)}
    pipeline.move_to_stage(idea, stages["not_pursued"], actor=agency_staff, reason="Kein Budget")
    entry = audit.history(idea).first()
    with translation.override("de"):
        german = describe(entry, reader=agency_staff)
    with translation.override("zh-hans"):
        chinese = describe(entry, reader=agency_staff)
    assert "Nicht weiterverfolgt" in german and "Kein Budget" in german and "not_pursued" not in german
    assert "不再跟进" in chinese


@pytest.mark.django_db
def test_a_due_date_reads_as_a_local_date_and_a_leader_by_name(world, agency_staff):
    import datetime

    idea = make_idea(world)
    agency_staff.first_name, agency_staff.last_name = "Anna", "Schmidt"
    agency_staff.save()
    pipeline.set_due_date(idea, datetime.date(2026, 12, 24), actor=agency_staff)
    pipeline.assign_owner(idea, agency_staff, actor=agency_staff)
    owner, due = list(audit.history(idea))[:2]
    with translation.override("de"):
        assert describe(due) == "Anna Schmidt hat das Fälligkeitsdatum auf 24. Dezember 2026 gesetzt."
        assert "Anna Schmidt" in describe(owner) and "@" not in describe(owner)


@pytest.mark.django_db
def test_a_shared_organisation_is_not_named_to_a_reader_who_cannot_see_it(world, agency_staff, other_staff):
    idea = make_idea(world)
    pipeline.propose_counterpart(idea, world.private_org, actor=agency_staff)
    entry = audit.history(idea).first()
    with translation.override("en"):
        assert world.private_org.name in describe(entry, reader=agency_staff)
        assert world.private_org.name not in describe(entry, reader=other_staff)


@pytest.mark.django_db
def test_the_pipeline_panel_shows_sentences_not_codes(client, world, agency_staff):
    idea = make_idea(world)
    stages = {s.key: s for s in stages_for(world.home_agency)}
    pipeline.move_to_stage(idea, stages["in_contact"], actor=agency_staff)
    pipeline.share_item(idea, world.partner_agency, actor=agency_staff)
    client.force_login(agency_staff)
    with translation.override("de"):
        page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "„Im Kontakt“" in page or "“Im Kontakt”" in page or "Im Kontakt" in page
    assert "hat dies in „Im Kontakt“" in page or "verschoben" in page
    assert "pipeline.stage_changed" not in page and "in_contact" not in page.split("History")[-1]
    assert "pipeline.shared" not in page


@pytest.mark.django_db
def test_the_partnership_and_inquiry_pages_show_sentences(client, world, agency_staff):
    from partnerhub.partnerships import services as partnerships

    partnerships.share_partnership(world.partnership, world.other_agency, actor=agency_staff)
    client.force_login(agency_staff)
    with translation.override("zh-hans"):
        page = client.get(reverse("partnerships:detail", args=[world.partnership.slug])).content.decode()
    assert "partnership.shared" not in page
    assert "共享" in page
