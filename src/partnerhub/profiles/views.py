import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_POST

from partnerhub.core import editing
from partnerhub.core.cache import public_etag
from partnerhub.organisations.models import Organisation
from partnerhub.profiles import filters, services
from partnerhub.profiles.forms import ProfileForm, RejectForm, RenewForm
from partnerhub.profiles.models import CooperationProfile

PAGE_SIZE = 24


def _today(request, *args, **kwargs):
    return [timezone.localdate()]  # what is upcoming or still valid changes at midnight


@condition(etag_func=public_etag("profiles", "organisations", "regions", "agencies", vary=_today))
def profile_list(request):
    """Browse and search the profiles the user may see; HTMX swaps in the results only."""

    @functools.cache
    def results():
        form, profiles = filters.profile_list(request.user, request.GET)
        page = Paginator(profiles.prefetch_related("sectors"), PAGE_SIZE).get_page(request.GET.get("page"))
        return form, page

    query = request.GET.copy()
    query.pop("page", None)
    # Form and page are built when the template first asks: a cached page fragment needs neither.
    context = {
        "form": SimpleLazyObject(lambda: results()[0]),
        "page": SimpleLazyObject(lambda: results()[1]),
        "today": timezone.localdate(),
        "querystring": query.urlencode(),
        "may_create": request.user.is_authenticated
        and Organisation.objects.editable_by(request.user).exists(),
    }
    template = "profiles/_results.html" if request.headers.get("HX-Request") else "profiles/list.html"
    return render(request, template, context)


def _visible_profile(request, pk) -> CooperationProfile:
    return get_object_or_404(
        CooperationProfile.objects.visible_to(request.user).select_related(
            "organisation__region", "agency__parent", "stage", "owner"
        ),
        pk=pk,
    )


def _allowed(queryset, profile) -> bool:
    return queryset.filter(pk=profile.pk).exists()


def profile_detail(request, pk):
    profile = _visible_profile(request, pk)
    user = request.user
    Status = CooperationProfile.Status
    reviewer = _allowed(CooperationProfile.objects.editable_by(user), profile)
    submitter = _allowed(CooperationProfile.objects.submittable_by(user), profile)
    context = {
        "profile": profile,
        "sectors": profile.sectors.all(),
        "target_regions": profile.target_regions.all(),
        # The organisation is named only to those who may see it; contact persons never appear here.
        "organisation_visible": _allowed(Organisation.objects.visible_to(user), profile.organisation),
        "in_pipeline": _allowed(CooperationProfile.objects.in_pipeline_of(user), profile),
        "submitter": submitter,
        "may_edit": _allowed(CooperationProfile.objects.content_editable_by(user), profile),
        "may_submit": submitter and profile.status in CooperationProfile.SUBMITTABLE_STATUSES,
        "may_review": reviewer and profile.status == Status.IN_REVIEW,
        "may_renew": submitter and profile.status in CooperationProfile.RENEWABLE_STATUSES,
        "may_withdraw": submitter and profile.status != Status.WITHDRAWN,
        "reject_form": RejectForm(),
        "renew_form": RenewForm(initial={"valid_until": profile.valid_until}),
    }
    return render(request, "profiles/detail.html", context)


def _save(request, form: ProfileForm, profile: CooperationProfile, context: dict):
    """Save through the service; its validation errors are shown on the form like the form's own, and a
    save over a newer version puts that version's texts into ``context["conflict"]``."""
    saved, conflict = editing.save_through(
        form,
        lambda: services.save_profile(
            profile,
            actor=request.user,
            sector_codes=form.cleaned_data["sectors"],
            target_region_ids=form.cleaned_data["target_regions"],
            version=form.seen_version,
        ),
    )
    context["conflict"] = conflict
    return saved


@login_required
def profile_create(request):
    if not Organisation.objects.editable_by(request.user).exists():
        raise PermissionDenied(_("Only members of an organisation and agency staff may write profiles."))
    profile = CooperationProfile()
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    context = {"form": form, "profile": None}
    if request.method == "POST" and form.is_valid() and _save(request, form, form.instance, context):
        messages.success(
            request, _("The profile was saved as a draft. Submit it for review when it is ready.")
        )
        return redirect(form.instance)
    return render(request, "profiles/form.html", context)


@login_required
def profile_edit(request, pk):
    profile = _visible_profile(request, pk)
    if not _allowed(CooperationProfile.objects.content_editable_by(request.user), profile):
        raise PermissionDenied(_("This profile cannot be changed now."))
    was_published = profile.status == CooperationProfile.Status.PUBLISHED
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    context: dict = {"form": form, "profile": profile}
    if request.method == "POST" and form.is_valid() and _save(request, form, form.instance, context):
        if was_published and form.instance.status == CooperationProfile.Status.IN_REVIEW:
            messages.success(request, _("The changes were saved; the profile is back in review."))
        else:
            messages.success(request, _("The changes were saved."))
        return redirect(form.instance)
    reviewer = _allowed(CooperationProfile.objects.editable_by(request.user), profile)
    context["returns_to_review"] = was_published and not reviewer
    return render(request, "profiles/form.html", context)


def _act(request, pk, action, success: str):
    """Run one workflow action; a rule it breaks is shown as a message, a missing right is a 403."""
    profile = _visible_profile(request, pk)
    try:
        action(profile)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(profile)


@require_POST
@login_required
def submit(request, pk):
    return _act(
        request,
        pk,
        lambda p: services.submit_for_review(p, actor=request.user),
        _("The profile was submitted for review."),
    )


@require_POST
@login_required
def publish(request, pk):
    return _act(
        request, pk, lambda p: services.publish_profile(p, actor=request.user), _("The profile is published.")
    )


@require_POST
@login_required
def reject(request, pk):
    form = RejectForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    return _act(
        request,
        pk,
        lambda p: services.reject_profile(p, actor=request.user, note=note),
        _("The profile was sent back to the organisation."),
    )


@require_POST
@login_required
def withdraw(request, pk):
    return _act(
        request,
        pk,
        lambda p: services.withdraw_profile(p, actor=request.user),
        _("The profile was withdrawn."),
    )


@require_POST
@login_required
def renew(request, pk):
    form = RenewForm(request.POST)

    def action(profile):
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        services.renew_profile(profile, actor=request.user, valid_until=form.cleaned_data["valid_until"])

    return _act(request, pk, action, _("The profile was renewed."))
