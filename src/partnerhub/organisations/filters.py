"""The directory's filters, shared by the directory page and its exports so both show the same rows."""

from django.db.models import Q

from partnerhub.organisations import search
from partnerhub.organisations.forms import DirectoryFilterForm
from partnerhub.organisations.models import Organisation


def directory(user, params) -> tuple[DirectoryFilterForm, object]:
    """The filter form bound to ``params`` (a query dict) and the organisations ``user`` may see that match
    it. Invalid fields are reported on the form; the valid ones still narrow the list."""
    form = DirectoryFilterForm(params or None)
    organisations = Organisation.objects.visible_to(user).select_related("region")
    if form.is_bound:
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
    return form, organisations
