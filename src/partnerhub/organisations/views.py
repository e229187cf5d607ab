import functools

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import condition

from partnerhub.core.cache import public_etag
from partnerhub.organisations import filters
from partnerhub.organisations.models import Organisation, Person
from partnerhub.partnerships.models import Partnership

PAGE_SIZE = 24


@condition(etag_func=public_etag("organisations", "regions"))
def directory(request):
    """The organisation directory: full-text search and filters; HTMX swaps in the results only."""

    @functools.cache
    def results():
        form, organisations = filters.directory(request.user, request.GET)
        page = Paginator(
            organisations.prefetch_related("sectors").order_by("name_latin", "name"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        return form, page

    query = request.GET.copy()
    query.pop("page", None)
    # Form and page are built when the template first asks: a cached page fragment needs neither.
    context = {
        "form": SimpleLazyObject(lambda: results()[0]),
        "page": SimpleLazyObject(lambda: results()[1]),
        "querystring": query.urlencode(),
    }
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
