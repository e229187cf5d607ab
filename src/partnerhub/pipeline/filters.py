"""The pipeline list's filters, shared by the list page and the exports so both show the same rows."""

from django import forms as django_forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerhub.pipeline import forms
from partnerhub.pipeline.registry import model_for
from partnerhub.pipeline.stages import stages_for

TITLE_FIELD = {"ideas": "title", "profiles": "search_document"}


def items_of(user, kind):
    """The items of ``kind`` in a pipeline that ``user`` may see."""
    model = model_for(kind)
    return model.objects.visible_to(user).filter(stage__isnull=False).select_related("stage", "owner")


class ListFilterForm(django_forms.Form):
    SORTS = {
        "-created_at": gettext_lazy("newest first"),
        "created_at": gettext_lazy("oldest first"),
        "due_date": gettext_lazy("due date"),
        "stage__position": gettext_lazy("stage"),
    }
    q = django_forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    stage = django_forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    owner = django_forms.ChoiceField(label=gettext_lazy("Project leader"), required=False)
    sort = django_forms.ChoiceField(
        label=gettext_lazy("Sort by"), required=False, choices=list(SORTS.items())
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("all stages"))] + [
            (str(s.pk), str(s.name)) for s in stages_for(agency)
        ]
        owner_form = forms.OwnerForm(agency=agency)
        self.fields["owner"].choices = [("", _("everyone")), ("none", _("nobody"))] + [
            (str(u.pk), str(u)) for u in owner_form.fields["owner"].queryset
        ]


def item_list(user, kind, params, agency) -> tuple[ListFilterForm, object]:
    """The filter form bound to ``params`` and the matching items of ``kind`` that ``user`` may see."""
    items = items_of(user, kind)
    form = ListFilterForm(params or None, agency=agency)
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        if data.get("q"):
            field = TITLE_FIELD[kind]
            for term in data["q"].split():
                items = items.filter(
                    Q(**{f"{field}__icontains": term}) | Q(organisation__name__icontains=term)
                )
        if data.get("stage"):
            items = items.filter(stage_id=data["stage"])
        if data.get("owner") == "none":
            items = items.filter(owner__isnull=True)
        elif data.get("owner"):
            items = items.filter(owner_id=data["owner"])
        items = items.order_by(data.get("sort") or "-created_at", "pk")
    return form, items
