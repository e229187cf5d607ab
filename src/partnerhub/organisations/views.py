from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from partnerhub.organisations import search
from partnerhub.organisations.forms import DirectoryFilterForm
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships.models import Partnership

PAGE_SIZE = 24


def directory(request):
    """The organisation directory: full-text search and filters; HTMX swaps in the results only."""
    form = DirectoryFilterForm(request.GET or None)
    organisations = Organisation.objects.visible_to(request.user).select_related("region")
    if form.is_bound:
        # Invalid fields are reported above the results; the valid ones still narrow the list.
        form.is_valid()
        data = form.cleaned_data
        organisations = search.search(organisations, data.get("q", ""))
        if data.get("sector"):
            organisations = organisations.filter(search.sector_q(data["sector"])).distinct()
        if data.get("kind"):
            organisations = organisations.filter(kind=data["kind"])
        if data.get("region"):
            organisations = organisations.filter(region__slug=data["region"])
        if data.get("size"):
            organisations = organisations.filter(
                Q(size_class_override=data["size"])
                | Q(size_class_override="", size_class_computed=data["size"])
            )
    page = Paginator(
        organisations.prefetch_related("sectors").order_by("name_latin", "name"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "querystring": query.urlencode()}
    template = (
        "organisations/_results.html" if request.headers.get("HX-Request") else "organisations/directory.html"
    )
    return render(request, template, context)


def organisation_detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user).select_related("region", "owner_agency"), slug=slug
    )
    people = Person.objects.visible_to(request.user).filter(organisation=organisation)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "sectors": organisation.sectors.all(),
            "people": people,
            "partnerships": Partnership.objects.visible_to(request.user).involving(organisation.region),
        },
    )
