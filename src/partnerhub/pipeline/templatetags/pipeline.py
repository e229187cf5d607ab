from django import template

from partnerhub.accounts.visibility import viewer_for
from partnerhub.core.audit import history
from partnerhub.pipeline import forms, services
from partnerhub.pipeline.registry import kind_of
from partnerhub.pipeline.stages import stages_for

register = template.Library()


@register.inclusion_tag("pipeline/_panel.html", takes_context=True)
def pipeline_panel(context, item):
    """Stage, owner, due date, sharing, comments, proposals and history of an item, as the user may see."""
    user = context["request"].user
    viewer = viewer_for(user)
    editable = type(item).objects.editable_by(user).filter(pk=item.pk).exists()
    agency = item.agency
    return {
        "request": context["request"],
        "item": item,
        "kind": kind_of(item),
        "editable": editable,
        "own_agency": viewer.is_superuser or viewer.agency_id in agency.family_ids(),
        "stages": stages_for(agency),
        "comments": services.comments_for(item, user),
        "proposals": services.proposals_for(item),
        "history": history(item) if editable else [],
        "shared_with": item.shared_with.all(),
        "move_form": forms.MoveForm(agency=agency, initial={"stage": item.stage_id}),
        "owner_form": forms.OwnerForm(agency=agency, initial={"owner": item.owner_id}),
        "due_form": forms.DueDateForm(initial={"due_date": item.due_date}),
        "comment_form": forms.CommentForm(),
        "share_form": forms.ShareForm(agency=agency) if editable else None,
        "link_form": forms.LinkForm(user=user) if editable else None,
        "links": [
            *item.linked_organisations.all(),
            *item.linked_partnerships.all(),
            *item.linked_delegations.all(),
            *item.linked_agreements.all(),
        ],
        "propose_form": forms.ProposeForm(user=user) if not editable and viewer.is_agency_staff else None,
        "takes_part": viewer.is_superuser or viewer.is_agency_staff,
    }
