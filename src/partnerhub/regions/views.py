from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from partnerhub.accounts.permissions import can_add, can_edit
from partnerhub.agencies.models import Agency
from partnerhub.core import deletion, editing
from partnerhub.core.audit import history
from partnerhub.core.cache import public_etag
from partnerhub.delegations.models import Delegation
from partnerhub.organisations.models import Organisation
from partnerhub.partnerships.models import Partnership
from partnerhub.regions import services
from partnerhub.regions.forms import RegionForm
from partnerhub.regions.models import Region


def region_list(request):
    regions = Region.objects.select_related("parent").order_by("country", "slug")
    return render(
        request, "regions/list.html", {"regions": regions, "may_add": can_add(request.user, Region)}
    )


@condition(etag_func=public_etag("regions", "organisations", "partnerships", "delegations", "agencies"))
def region_detail(request, slug):
    region = get_object_or_404(Region.objects.select_related("parent"), slug=slug)
    # Querysets stay lazy: a cached page fragment (decisions/0024) needs none of them evaluated.
    region_ids = Region.objects.filter(Q(pk=region.pk) | Q(parent=region)).values("pk")
    partnerships = Partnership.objects.visible_to(request.user).involving(region)
    organisations = Organisation.objects.visible_to(request.user).filter(region_id__in=region_ids)
    delegations = Delegation.objects.visible_to(request.user).filter(destinations=region).distinct()
    may_edit = can_edit(request.user, region)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "children": region.children.all(),
            "sectors": region.strength_sectors.all(),
            "partnerships": partnerships.distinct().select_related("partner_region", "home_region"),
            "all_organisations": organisations,
            "organisations": organisations.select_related("region")
            .prefetch_related("sectors")
            .order_by("-headcount")[:8],
            "delegations": delegations,
            "agencies": Agency.objects.visible_to(request.user).filter(region=region).order_by("slug"),
            "may_edit": may_edit,
            "history": history(region)[:20] if may_edit else [],
        },
    )


def _save(request, form: RegionForm, context: dict):
    saved, context["conflict"] = editing.save_through(
        form,
        lambda: services.save_region(
            form.instance,
            actor=request.user,
            sector_codes=form.cleaned_data["strength_sectors"],
            version=form.seen_version,
        ),
    )
    return saved


@login_required
def region_create(request):
    if not can_add(request.user, Region):
        raise PermissionDenied(_("You may add regions only within a region your agency keeps."))
    form = RegionForm(request.POST or None, instance=Region(), user=request.user)
    parent = request.GET.get("parent")
    if not form.is_bound and parent:
        match = form.fields["parent"].queryset.filter(slug=parent).first()
        if match is not None:
            form.initial["parent"] = match.pk
            form.initial["country"] = match.country
    context = {"form": form, "region": None}
    if request.method == "POST" and form.is_valid() and _save(request, form, context):
        messages.success(request, _("The region was created."))
        return redirect(form.instance)
    return render(request, "regions/form.html", context)


def _editable(request, slug) -> Region:
    region = get_object_or_404(Region, slug=slug)
    if not can_edit(request.user, region):
        raise PermissionDenied(_("Only the agencies that keep this region may change it."))
    return region


@login_required
def region_edit(request, slug):
    region = _editable(request, slug)
    form = RegionForm(request.POST or None, instance=region, user=request.user)
    context = {"form": form, "region": region}
    if request.method == "POST" and form.is_valid() and _save(request, form, context):
        messages.success(request, _("The changes were saved."))
        return redirect(form.instance)
    return render(request, "regions/form.html", context)


@login_required
def region_delete(request, slug):
    region = _editable(request, slug)
    return deletion.confirm_delete(
        request,
        region,
        lambda: services.delete_region(region, actor=request.user),
        done=_("The region was deleted."),
        then="regions:list",
    )
