"""The staff workspace for organisations and contact persons: create, edit, find and merge duplicates.

Reading goes through ``visible_to`` (a record the user may not see is a 404), writing through the
permission predicates (a record they see but may not change is a 403); the services check again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_add
from partnerhub.core import editing
from partnerhub.organisations import dedupe, merging, services
from partnerhub.organisations.forms import MergeForm, OrganisationForm, PersonForm
from partnerhub.organisations.models import Organisation, Person
from partnerhub.organisations.permissions import can_maintain, is_workspace_user


def _visible_org(request, slug) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)


def _editable_org(request, slug) -> Organisation:
    org = _visible_org(request, slug)
    if not can_maintain(request.user, org):
        raise PermissionDenied(_("You may change only your own agency's organisations."))
    return org


def _editable_person(request, pk) -> Person:
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("organisation"), pk=pk)
    if not can_maintain(request.user, person):
        raise PermissionDenied(_("You may change only the contacts of your own agency's organisations."))
    return person


def _save_organisation(request, form: OrganisationForm, context: dict):
    saved, context["conflict"] = editing.save_through(
        form,
        lambda: services.save_organisation(
            form.instance,
            actor=request.user,
            sector_codes=form.cleaned_data["sectors"],
            shared_agency_ids=None
            if form.fields["shared_with"].disabled
            else form.cleaned_data["shared_with"],
            version=form.seen_version,
        ),
    )
    return saved


@login_required
def organisation_create(request):
    if not (is_workspace_user(request.user) and can_add(request.user, Organisation)):
        raise PermissionDenied(_("Only agency staff may create organisations."))
    form = OrganisationForm(request.POST or None, instance=Organisation(), user=request.user)
    context = {"form": form, "organisation": None, "conflict": None, "duplicates": []}
    if request.method == "POST" and form.is_valid():
        visible = set(Organisation.objects.visible_to(request.user).values_list("pk", flat=True))
        duplicates = [c for c in dedupe.duplicates_of(form.instance) if c.organisation.pk in visible]
        if duplicates and not request.POST.get("confirm_new"):
            # Offer the existing records first; creating anyway is one deliberate click.
            context["duplicates"] = duplicates
        elif _save_organisation(request, form, context):
            messages.success(request, _("The organisation was created."))
            return redirect(form.instance)
    return render(request, "organisations/form.html", context)


@login_required
def organisation_edit(request, slug):
    org = _editable_org(request, slug)
    form = OrganisationForm(request.POST or None, instance=org, user=request.user)
    context = {"form": form, "organisation": org, "conflict": None, "duplicates": []}
    if request.method == "POST" and form.is_valid() and _save_organisation(request, form, context):
        messages.success(request, _("The changes were saved."))
        return redirect(form.instance)
    return render(request, "organisations/form.html", context)


def _save_person(request, form: PersonForm, context: dict):
    saved, context["conflict"] = editing.save_through(
        form, lambda: services.save_person(form.instance, actor=request.user, version=form.seen_version)
    )
    return saved


@login_required
def person_create(request, slug):
    org = _editable_org(request, slug)
    form = PersonForm(request.POST or None, instance=Person(organisation=org))
    context = {"form": form, "organisation": org, "person": None, "conflict": None}
    if request.method == "POST" and form.is_valid() and _save_person(request, form, context):
        messages.success(request, _("The contact was added."))
        return redirect(org)
    return render(request, "organisations/person_form.html", context)


@login_required
def person_edit(request, pk):
    person = _editable_person(request, pk)
    form = PersonForm(request.POST or None, instance=person)
    context = {"form": form, "organisation": person.organisation, "person": person, "conflict": None}
    context["duplicates"] = _person_duplicates(request, person)
    if request.method == "POST" and form.is_valid() and _save_person(request, form, context):
        messages.success(request, _("The changes were saved."))
        return redirect(person.organisation)
    return render(request, "organisations/person_form.html", context)


def _person_duplicates(request, person: Person) -> list[Person]:
    """Other contacts of the same organisation with the same e-mail address or the same name."""
    others = Person.objects.editable_by(request.user).filter(organisation=person.organisation)
    others = others.exclude(pk=person.pk)
    return [
        other
        for other in others
        if (person.email and other.email.lower() == person.email.lower())
        or other.full_name == person.full_name
    ]


@login_required
def duplicate_pairs(request):
    """Every pair of likely duplicates among the organisations the user may edit (and so may merge)."""
    if not (is_workspace_user(request.user) and can_add(request.user, Organisation)):
        raise PermissionDenied(_("Only agency staff may merge organisations."))
    pairs = dedupe.candidate_pairs(Organisation.objects.editable_by(request.user))
    return render(request, "organisations/duplicate_pairs.html", {"pairs": pairs})


@login_required
def organisation_duplicates(request, slug):
    """The likely duplicates of one organisation that the user may see; merge offered where they may edit."""
    org = _editable_org(request, slug)
    visible = Organisation.objects.visible_to(request.user)
    candidates = [c for c in dedupe.duplicates_of(org) if visible.filter(pk=c.organisation.pk).exists()]
    rows = [(c, can_maintain(request.user, c.organisation)) for c in candidates]
    return render(request, "organisations/duplicates.html", {"organisation": org, "rows": rows})


def _merge_page(request, keep, drop, fields, merge, template_context: dict, done):
    form = MergeForm(request.POST or None, keep=keep, drop=drop, fields=fields)
    context = {**template_context, "form": form, "keep": keep, "drop": drop, "conflict": None}
    if request.method == "POST" and form.is_valid():
        merged, conflict = editing.save_through(
            form, lambda: merge(keep, drop, form.choices, actor=request.user, versions=form.versions)
        )
        if merged is not None:
            messages.success(request, _("The duplicate was merged; its references now point here."))
            return redirect(done(merged))
        if conflict is not None:  # one of them changed meanwhile: show both as they are now
            keep.refresh_from_db()
            drop.refresh_from_db()
            errors = form.non_field_errors()
            form = MergeForm(keep=keep, drop=drop, fields=fields)
            context.update(form=form, stale=errors)
    return render(request, "organisations/merge.html", context)


@login_required
def organisation_merge(request, slug):
    """Both organisations side by side; per field, staff choose which value the merged record keeps."""
    keep = _editable_org(request, slug)
    drop_slug = request.GET.get("drop") or request.POST.get("drop")
    if not drop_slug:
        return redirect("organisations:duplicates_of", slug=keep.slug)
    drop = _visible_org(request, drop_slug)
    if not can_maintain(request.user, drop):
        raise PermissionDenied(_("You may merge only records you may edit, both of them."))
    if drop.pk == keep.pk:
        raise Http404
    return _merge_page(
        request,
        keep,
        drop,
        merging.ORGANISATION_FIELDS,
        services.merge_organisations,
        {"kind": "organisation", "drop_key": drop.slug, "back": keep.get_absolute_url()},
        lambda merged: merged,
    )


@login_required
def person_merge(request, pk):
    keep = _editable_person(request, pk)
    drop_pk = request.GET.get("drop") or request.POST.get("drop")
    if not drop_pk or not str(drop_pk).isdigit():
        return redirect("organisations:person_edit", pk=keep.pk)
    drop = _editable_person(request, int(drop_pk))
    if drop.pk == keep.pk:
        raise Http404
    return _merge_page(
        request,
        keep,
        drop,
        merging.PERSON_FIELDS,
        services.merge_persons,
        {"kind": "person", "drop_key": drop.pk, "back": keep.organisation.get_absolute_url()},
        lambda merged: merged.organisation,
    )
