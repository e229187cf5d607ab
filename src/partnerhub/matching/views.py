"""Matching pages: the staff review queue, an item's suggestions, introductions, re-embedding, trips.

The rules live in ``services``; every list starts from ``visible_to``/``reviewable_by``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.accounts.permissions import user_passes
from partnerhub.accounts.visibility import viewer_for
from partnerhub.core.redirects import safe_next
from partnerhub.core.templatetags.partnerhub import html_lang, lang_of
from partnerhub.delegations.models import Delegation
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching import services
from partnerhub.matching.forms import FeedbackForm, QueueFilterForm, ReembedForm, ReviewForm
from partnerhub.matching.models import Embedding, Introduction, ReembedRun, Suggestion
from partnerhub.organisations.models import Organisation
from partnerhub.profiles.models import CooperationProfile

QUEUE_PAGE_SIZE = 20  # each suggestion is a card with its explanation: 100 of them made a 60,000-px page
INTRODUCTIONS_PAGE_SIZE = 25
PART_LABELS = {
    "semantic": gettext_lazy("similarity of the texts"),
    "text": gettext_lazy("similarity of the texts"),
    "complementarity": gettext_lazy("offer meets request"),
    "sector": gettext_lazy("closeness of the sectors"),
    "same_direction": gettext_lazy("both offer or both seek (penalty)"),
    "same_side": gettext_lazy("both on the same side (penalty)"),
    "freshness": gettext_lazy("age of the profile"),
    "similarity": gettext_lazy("similarity of the texts"),
    "sectors": gettext_lazy("shared sectors"),
    "kind": gettext_lazy("same kind of cooperation"),
    "region": gettext_lazy("region"),
    "abroad": gettext_lazy("partner in another country"),
    "side": gettext_lazy("partner on the other side"),
    "keywords": gettext_lazy("shared keywords"),
}


def _staff(request) -> None:
    viewer = viewer_for(request.user)
    if not (viewer.is_superuser or viewer.is_agency_staff):
        raise PermissionDenied(_("Only agency staff see this page."))


def _errors(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))


def _sector_name(sector: dict) -> str:
    language = get_language() or "en"
    return f"{sector['code']} {sector.get(language) or sector.get('en', '')}"


def lang_of_item(item) -> str:
    """The ``lang`` attribute for an item's title as shown: a profile's summary, an idea's language."""
    if isinstance(item, ProjectIdea):
        return html_lang(services.LANGUAGE_OF_CODE.get(item.language.lower(), item.language))
    return lang_of(item.summary)


def _rows(suggestions, user) -> list[dict]:
    """What a page shows of each suggestion: ends, explanation in the reader's language, what they may do."""
    suggestions = list(suggestions.prefetch_related("source", "target").select_related("introduction"))
    # The target's organisation, named only to those who may see it: one query for all rows, not one each.
    names = Organisation.objects.visible_to(user).in_bulk({s.target_organisation_id for s in suggestions})
    reviewable = set(Suggestion.objects.reviewable_by(user).values_list("pk", flat=True))
    rows = []
    for s in suggestions:
        introduction = getattr(s, "introduction", None)
        explanation = s.explanation or {}
        rows.append(
            {
                "suggestion": s,
                "source": s.source,
                "source_lang": lang_of_item(s.source),
                "target": s.target,
                "target_organisation": names.get(s.target_organisation_id),
                "pairs": explanation.get("pairs", []),
                "sectors": [_sector_name(x) for x in explanation.get("shared_sectors", [])],
                "keywords": explanation.get("shared_keywords", []),
                "parts": [(PART_LABELS.get(k, k), v) for k, v in (s.parts or {}).items()],
                "may_review": s.pk in reviewable,
                "introduction": introduction,
                "may_express_interest": s.status == Suggestion.Status.ACCEPTED
                and introduction is None
                and services.acts_for(user, s, Introduction.Side.SOURCE),
            }
        )
    return rows


@login_required
def queue(request):
    _staff(request)
    suggestions = services.review_queue(request.user)
    form = QueueFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            suggestions = suggestions.filter(status=data["status"])
        if data["source"]:
            suggestions = suggestions.filter(source_type__model=data["source"])
        if data["min_score"] is not None:
            suggestions = suggestions.filter(score__gte=data["min_score"])
    ordered = suggestions.order_by("_new_first", "-score", "pk")  # a total order: no row on two pages
    page = Paginator(ordered, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring": query.urlencode(),
        "rows": _rows(page.object_list, request.user),
        "review_form": ReviewForm(),
        "evaluation": services.evaluation(Suggestion.objects.reviewable_by(request.user)),
        "may_reembed": services.may_reembed(request.user),
    }
    return render(request, "matching/queue.html", context)


def _panel(request, item):
    suggestions = Suggestion.objects.visible_to(request.user).filter(
        source_type=services.content_type(item), source_id=item.pk
    )
    context = {
        "item": item,
        "item_lang": lang_of_item(item),
        "rows": _rows(suggestions, request.user),
        "review_form": ReviewForm(),
        "staff": viewer_for(request.user).is_agency_staff or request.user.is_superuser,
    }
    return render(request, "matching/panel.html", context)


@login_required
def profile_suggestions(request, pk):
    profile = get_object_or_404(CooperationProfile.objects.visible_to(request.user), pk=pk)
    return _panel(request, profile)


@login_required
def idea_suggestions(request, pk):
    idea = get_object_or_404(ProjectIdea.objects.visible_to(request.user), pk=pk)
    return _panel(request, idea)


@login_required
@require_POST
def review(request, pk):
    suggestion = get_object_or_404(Suggestion.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to dismiss."))
        return safe_next(request, "matching:queue")
    try:
        services.review(
            suggestion, form.cleaned_data["decision"], actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The suggestion was reviewed."))
    return safe_next(request, "matching:queue")


@login_required
@require_POST
def feedback(request, pk):
    suggestion = get_object_or_404(Suggestion.objects.visible_to(request.user), pk=pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        services.record_feedback(suggestion, form.value(), actor=request.user)
        messages.success(request, _("Thank you for your feedback."))
    fallback = "matching:idea" if isinstance(suggestion.source, ProjectIdea) else "matching:profile"
    return safe_next(request, fallback, suggestion.source_id)


@login_required
@require_POST
def interest(request, pk):
    suggestion = get_object_or_404(Suggestion.objects.visible_to(request.user), pk=pk)
    try:
        services.express_interest(suggestion, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Your interest was passed to the agency. We will let you know."))
    return safe_next(request, "matching:introductions")


@login_required
def introductions(request):
    rows = []
    user = request.user
    introductions = Introduction.objects.visible_to(user).select_related("suggestion")
    page = Paginator(introductions, INTRODUCTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    for introduction in page.object_list:
        suggestion = introduction.suggestion
        asked = introduction.receiving_side
        agency_id = (
            suggestion.target_agency_id if asked == Introduction.Side.TARGET else suggestion.source_agency_id
        )
        waiting = introduction.state == Introduction.State.INTEREST_EXPRESSED
        rows.append(
            {
                "introduction": introduction,
                "source": suggestion.source,
                "source_lang": lang_of_item(suggestion.source),
                "target": suggestion.target,
                "may_forward": waiting and services.is_family_staff(user, agency_id),
                "may_answer": introduction.state == Introduction.State.FORWARDED
                and services.acts_for(user, suggestion, asked),
                "contacts": services.contacts_visible(introduction, user),
            }
        )
    return render(request, "matching/introductions.html", {"rows": rows, "page": page, "querystring": ""})


def _introduction_step(request, pk, step, done: str):
    introduction = get_object_or_404(Introduction.objects.visible_to(request.user), pk=pk)
    try:
        step(introduction, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("matching:introductions")


@login_required
@require_POST
def forward(request, pk):
    return _introduction_step(request, pk, services.forward, _("The interest was forwarded."))


@login_required
@require_POST
def accept(request, pk):
    return _introduction_step(
        request,
        pk,
        services.accept_introduction,
        _("Accepted: both sides receive each other's contact details."),
    )


@login_required
@require_POST
def decline(request, pk):
    return _introduction_step(request, pk, services.decline_introduction, _("The introduction was declined."))


def _reembed_context(run=None, form=None, error=None) -> dict:
    return {
        "run": run or ReembedRun.objects.first(),
        "form": form or ReembedForm(choices=services.offered_models()),
        "error": error,
        "configured": services.configured_embedder().name,
        "stored": Embedding.objects.values("model_name", "dim")
        .annotate(count=Count("pk"))
        .order_by("model_name"),
    }


ONLY_OPERATORS = gettext_lazy("Only the platform's operators may re-embed every item.")


@login_required
@user_passes(services.may_reembed, ONLY_OPERATORS)
def reembed(request):
    if request.method != "POST":
        return render(request, "matching/reembed.html", _reembed_context())
    form = ReembedForm(request.POST, choices=services.offered_models())
    error = None
    if form.is_valid():
        try:
            services.start_reembed(form.cleaned_data["model_name"], actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
    context = _reembed_context(form=form, error=error)
    if request.headers.get("HX-Request"):
        return render(request, "matching/_reembed_status.html", context)
    return render(request, "matching/reembed.html", context)


@login_required
@user_passes(services.may_reembed, ONLY_OPERATORS)
def reembed_status(request, pk):
    run = get_object_or_404(ReembedRun, pk=pk)
    return render(request, "matching/_reembed_status.html", {"run": run})


@login_required
@require_POST
def trip_meetings(request, slug):
    trip = get_object_or_404(Delegation.objects.visible_to(request.user), slug=slug)
    try:
        created = services.suggest_trip_meetings(trip, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("%(count)d meeting suggestions were sent to the participants.") % {"count": len(created)},
        )
    return redirect("delegations:meetings_manage", slug=slug)
