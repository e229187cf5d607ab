from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_add, can_edit, is_platform_operator
from partnerhub.agencies import services
from partnerhub.agencies.forms import AgencyForm
from partnerhub.agencies.models import Agency
from partnerhub.core import deletion, editing
from partnerhub.core.audit import history
from partnerhub.organisations.models import Person
from partnerhub.partnerships.models import Partnership


def agency_list(request):
    """Agencies and partner authorities with their units; everyone may see who runs the programme."""
    agencies = Agency.objects.visible_to(request.user).select_related("region").order_by("slug")
    units: dict[int, list[Agency]] = {}
    for agency in agencies:
        if agency.parent_id is not None:
            units.setdefault(agency.parent_id, []).append(agency)
    tops = [(agency, units.get(agency.pk, [])) for agency in agencies if agency.parent_id is None]
    return render(
        request,
        "agencies/list.html",
        {
            "tops": tops,
            "may_add_authority": is_platform_operator(request.user),
            "may_add_unit": can_add(request.user, Agency),
        },
    )


def agency_detail(request, slug):
    agency = get_object_or_404(
        Agency.objects.visible_to(request.user).select_related("parent", "region"), slug=slug
    )
    may_edit = can_edit(request.user, agency)
    contact = None
    if agency.contact_id is not None:  # named only to those who may see the person
        contact = Person.objects.visible_to(request.user).filter(pk=agency.contact_id).first()
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            "units": agency.units.order_by("slug"),
            "contact": contact,
            "partnerships": Partnership.objects.visible_to(request.user).filter(agency=agency),
            "may_edit": may_edit,
            "history": history(agency)[:20] if may_edit else [],
        },
    )


def _save(request, form: AgencyForm, context: dict):
    saved, context["conflict"] = editing.save_through(
        form, lambda: services.save_agency(form.instance, actor=request.user, version=form.seen_version)
    )
    return saved


@login_required
def agency_create(request):
    if not can_add(request.user, Agency):
        raise PermissionDenied(
            _(
                "Only staff may add units to their own agency; partner authorities are added by the platform's operators."
            )
        )
    form = AgencyForm(request.POST or None, instance=Agency(), user=request.user)
    parent = request.GET.get("parent")
    if not form.is_bound and parent:
        match = form.fields["parent"].queryset.filter(slug=parent).first()
        if match is not None:
            form.initial.update(parent=match.pk, region=match.region_id, language=match.language)
    context = {"form": form, "agency": None, "operator": is_platform_operator(request.user)}
    if request.method == "POST" and form.is_valid() and _save(request, form, context):
        messages.success(request, _("The agency was created."))
        return redirect(form.instance)
    return render(request, "agencies/form.html", context)


def _editable(request, slug) -> Agency:
    agency = get_object_or_404(Agency.objects.visible_to(request.user), slug=slug)
    if not can_edit(request.user, agency):
        raise PermissionDenied(_("Only the staff of this agency's family may change it."))
    return agency


@login_required
def agency_edit(request, slug):
    agency = _editable(request, slug)
    form = AgencyForm(request.POST or None, instance=agency, user=request.user)
    context = {"form": form, "agency": agency, "operator": is_platform_operator(request.user)}
    if request.method == "POST" and form.is_valid() and _save(request, form, context):
        messages.success(request, _("The changes were saved."))
        return redirect(form.instance)
    return render(request, "agencies/form.html", context)


@login_required
def agency_delete(request, slug):
    agency = _editable(request, slug)
    return deletion.confirm_delete(
        request,
        agency,
        lambda: services.delete_agency(agency, actor=request.user),
        done=_("The agency was deleted."),
        then="agencies:list",
    )
