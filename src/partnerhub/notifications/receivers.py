"""The switchable e-mails: who is told what, when something happens elsewhere (connected in ready()).

Each e-mail is queued on commit by ``notify`` and only for people who have not switched its kind off
(``preferences.wants``). Sharing is heard on the ``shared_with`` relation itself, so the admin, the pipeline
panel and every service that shares are covered alike; a record already shared adds no row and sends nothing.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed

from partnerhub.accounts.visibility import viewer_for
from partnerhub.notifications.models import Kind
from partnerhub.notifications.preferences import unsubscribe_url, wants
from partnerhub.notifications.services import notify, url_in
from partnerhub.pipeline import signals as pipeline

SHARED_MODELS = [
    "partnerships.Partnership",
    "partnerships.Agreement",
    "organisations.Organisation",
    "ideas.ProjectIdea",
    "profiles.CooperationProfile",
]


def _page(language: str, obj) -> str:
    from django.utils import translation

    from partnerhub.notifications.services import absolute_url

    with translation.override(language):
        return absolute_url(obj.get_absolute_url())


def _owner_agency(obj):
    return getattr(obj, "agency", None) or getattr(obj, "owner_agency", None) or obj.partnership.agency


def _to_user(user, kind: str, template: str, context: dict) -> None:
    """A user who has not switched ``kind`` off, in their language, with a link to their settings."""
    if user.is_active and wants(kind, user=user):
        language = user.preferred_language
        links = {
            "url": _page(language, context["record"]),
            "switch_url": url_in(language, "notifications:settings"),
        }
        notify(user.email, language, template, {**context, **links})


def _to_address(email: str, language: str, kind: str, template: str, context: dict) -> None:
    """An address (no account needed), with a signed link that switches ``kind`` off for it."""
    if email and wants(kind, email=email):
        links = {
            "url": _page(language, context["record"]),
            "switch_url": unsubscribe_url(language, email, kind),
        }
        notify(email, language, template, {**context, **links})


def _tell_agency(agency, kind: str, template: str, context: dict) -> None:
    """The agency's staff, each in their language; an agency without staff at its own address."""
    staff = list(get_user_model().objects.filter(agency=agency, is_active=True))
    for user in staff:
        _to_user(user, kind, template, context)
    if not staff:
        _to_address(agency.email, agency.language, kind, template, context)


def shared(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Rows added to a record's ``shared_with``: tell each newly added agency."""
    if action != "post_add" or reverse or not pk_set:
        return
    Agency = apps.get_model("agencies", "Agency")
    instance = type(instance)._default_manager.get(pk=instance.pk)  # names as stored, per language
    owner = _owner_agency(instance)
    for agency in Agency.objects.filter(pk__in=pk_set):
        context = {"record": instance, "kind": instance._meta.verbose_name, "owner": owner, "agency": agency}
        _tell_agency(agency, Kind.SHARED, "shared_with_agency", context)


def _from_partner(item, actor) -> bool:
    viewer = viewer_for(actor)
    return viewer.agency_id is not None and viewer.agency_id not in item.agency.family_ids()


def _tell_item_agency(item, template: str, context: dict) -> None:
    """The item's project leader, else the agency's address."""
    context = {**context, "record": item}
    if item.owner is not None:
        _to_user(item.owner, Kind.PARTNER_ACTIVITY, template, context)
    else:
        _to_address(item.agency.email, item.agency.language, Kind.PARTNER_ACTIVITY, template, context)


def comment_added(sender, item, comment, actor, **kwargs) -> None:
    if comment.shared and _from_partner(item, actor):
        context = {"item": item, "comment": comment, "partner": comment.author_agency}
        _tell_item_agency(item, "partner_commented", context)


def counterpart_proposed(sender, item, proposal, actor, **kwargs) -> None:
    if _from_partner(item, actor):
        partner = apps.get_model("agencies", "Agency").objects.get(pk=viewer_for(actor).agency_id)
        context = {"item": item, "proposal": proposal, "partner": partner}
        _tell_item_agency(item, "partner_proposed", context)


def stage_changed(sender, item, old, new, actor, **kwargs) -> None:
    """The submitter of a confirmed idea hears of each move, in the language they wrote in."""
    if item._meta.model_name != "projectidea" or not item.is_confirmed:
        return
    item = type(item).objects.select_related("agency").get(pk=item.pk)
    email, language = item.contact_email, item.language
    if not email or not wants(Kind.IDEA_STAGE, email=email):
        return
    context = {
        "idea": item,
        "stage": new,
        "status_url": url_in(language, "ideas:status", item.access_token),
        "unsubscribe_url": unsubscribe_url(language, email, Kind.IDEA_STAGE),
    }
    notify(email, language, "idea_stage_changed", context)


def connect() -> None:
    for label in SHARED_MODELS:
        through = apps.get_model(label).shared_with.through
        m2m_changed.connect(shared, sender=through, dispatch_uid=f"notifications.shared.{label}")
    pipeline.comment_added.connect(comment_added, dispatch_uid="notifications.comment_added")
    pipeline.counterpart_proposed.connect(counterpart_proposed, dispatch_uid="notifications.counterpart")
    pipeline.stage_changed.connect(stage_changed, dispatch_uid="notifications.stage_changed")
