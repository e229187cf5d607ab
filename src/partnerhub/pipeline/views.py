"""The agency's working views: inbox, board and list of ideas and profiles, and the pipeline actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.accounts.visibility import viewer_for
from partnerhub.agencies.models import Agency
from partnerhub.core.redirects import safe_next
from partnerhub.pipeline import filters, forms, services
from partnerhub.pipeline.registry import KINDS, model_for
from partnerhub.pipeline.stages import stages_for


def _order(entry):
    """An ``ordering`` entry ("-created_at", or an expression already) for a window's ORDER BY."""
    if hasattr(entry, "resolve_expression"):
        return entry
    return F(entry[1:]).desc() if entry.startswith("-") else F(entry).asc()


def _staff_agency(request):
    viewer = viewer_for(request.user)
    if not (viewer.is_agency_staff or viewer.is_superuser):
        raise Http404
    if request.user.agency is None:
        return Agency.objects.filter(parent__isnull=True).order_by("pk").first()
    return request.user.agency.root


def _items(request, kind):
    return filters.items_of(request.user, kind)


@login_required
def inbox(request):
    """New work for the agency: confirmed ideas nobody owns yet, profiles waiting for review, inquiries."""
    agency = _staff_agency(request)
    ideas = _items(request, "ideas").filter(owner__isnull=True, stage=stages_for(agency)[0])
    context = {"agency": agency}
    _first(context, "ideas", ideas)
    profiles_model = model_for("profiles")
    if hasattr(profiles_model, "Status"):
        _first(
            context,
            "profiles",
            profiles_model.objects.visible_to(request.user).filter(status=profiles_model.Status.IN_REVIEW),
        )
    try:
        from partnerhub.inquiries.models import Inquiry

        _first(context, "inquiries", Inquiry.objects.visible_to(request.user).filter(status="new"))
    except ImportError:
        pass
    return render(request, "pipeline/inbox.html", context)


INBOX_SECTION_SIZE = 20


BOARD_COLUMN_SIZE = 40


def _first(context: dict, name: str, queryset) -> None:
    """The inbox shows the first rows of each section and how many more wait on the paginated list."""
    rows = list(queryset[: INBOX_SECTION_SIZE + 1])
    context[name] = rows[:INBOX_SECTION_SIZE]
    context[f"{name}_more"] = len(rows) > INBOX_SECTION_SIZE and queryset.count() - INBOX_SECTION_SIZE


@login_required
def board(request, kind):
    """One board per agency whose items the user sees: their own first, then those shared with them."""
    agency = _staff_agency(request)
    items = _items(request, kind)
    if request.GET.get("mine"):
        items = items.filter(owner=request.user)
    # Counted and cut in the database: a column shows its first cards and how many more wait on the list;
    # thousands of cards (each with its move form) would take seconds to load and render, nobody scrolls them.
    counts = dict(items.order_by().values_list("stage_id").annotate(n=Count("pk")))
    ordering = items.query.order_by or items.model._meta.ordering or ["pk"]
    first_cards = items.select_related("agency").annotate(
        place=Window(
            RowNumber(), partition_by=F("stage_id"), order_by=[*(_order(o) for o in ordering), F("pk").asc()]
        )
    )
    by_stage: dict[int, list] = {}
    for item in first_cards.filter(place__lte=BOARD_COLUMN_SIZE):
        by_stage.setdefault(item.stage_id, []).append(item)
    roots = {agency.pk: agency}
    for other in Agency.objects.filter(pk__in=items.order_by().values("agency_id").distinct()):
        roots.setdefault(other.root.pk, other.root)
    boards = []
    for root in roots.values():
        stages = stages_for(root)
        progress = [s for s in stages if s.outcome != s.Outcome.LOST]
        following = {a.pk: b for a, b in zip(progress, progress[1:], strict=False)}
        columns = []
        for stage in stages:
            shown, total = by_stage.get(stage.pk, []), counts.get(stage.pk, 0)
            columns.append((stage, shown, following.get(stage.pk), total, total - len(shown)))
        boards.append((root, columns))
    context = {"kind": kind, "kinds": list(KINDS), "boards": boards, "agency": agency}
    template = "pipeline/_board.html" if request.headers.get("HX-Request") else "pipeline/board.html"
    return render(request, template, context)


@login_required
def item_list(request, kind):
    agency = _staff_agency(request)
    form, items = filters.item_list(request.user, kind, request.GET, agency)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/list.html",
        {
            "kind": kind,
            "kinds": list(KINDS),
            "form": form,
            "page": page,
            "move_form": forms.MoveForm(agency=agency),
            "owner_form": forms.OwnerForm(agency=agency),
        },
    )


@login_required
@require_POST
def bulk(request, kind):
    """Bulk actions from the list: move the selected items to a stage, or give them a project leader."""
    agency = _staff_agency(request)
    model = model_for(kind)
    selected = model.objects.editable_by(request.user).filter(pk__in=request.POST.getlist("selected"))
    if not selected:
        messages.error(request, _("Select at least one item."))
        return redirect("pipeline:list", kind=kind)
    try:
        if request.POST.get("action") == "move":
            form = forms.MoveForm(request.POST, agency=agency)
            if not form.is_valid():
                raise ValidationError(list(form.errors.values())[0])
            count = services.bulk_move(
                selected, form.cleaned_data["stage"], actor=request.user, reason=form.cleaned_data["reason"]
            )
        elif request.POST.get("action") == "owner":
            form = forms.OwnerForm(request.POST, agency=agency)
            if not form.is_valid():
                raise ValidationError(list(form.errors.values())[0])
            count = 0
            for item in selected:
                services.assign_owner(item, form.cleaned_data["owner"], actor=request.user)
                count += 1
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("%(count)d item(s) changed.") % {"count": count})
    return redirect("pipeline:list", kind=kind)


def _act(request, kind, pk, action):
    model = model_for(kind)
    item = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    agency = item.agency
    try:
        if action == "move":
            form = forms.MoveForm(request.POST, agency=agency)
            if form.is_valid():
                services.move_to_stage(
                    item, form.cleaned_data["stage"], actor=request.user, reason=form.cleaned_data["reason"]
                )
        elif action == "owner":
            form = forms.OwnerForm(request.POST, agency=agency)
            if form.is_valid():
                services.assign_owner(item, form.cleaned_data["owner"], actor=request.user)
        elif action == "due":
            form = forms.DueDateForm(request.POST)
            if form.is_valid():
                services.set_due_date(item, form.cleaned_data["due_date"], actor=request.user)
        elif action == "comment":
            form = forms.CommentForm(request.POST)
            if form.is_valid():
                services.add_comment(
                    item, form.cleaned_data["body"], actor=request.user, shared=form.cleaned_data["shared"]
                )
        elif action == "share":
            form = forms.ShareForm(request.POST, agency=agency)
            if form.is_valid():
                services.share_item(item, form.cleaned_data["agency"], actor=request.user)
        elif action == "link":
            form = forms.LinkForm(request.POST, user=request.user)
            if form.is_valid():
                for target in form.targets():
                    services.link(item, target, actor=request.user)
        elif action == "propose":
            form = forms.ProposeForm(request.POST, user=request.user)
            if form.is_valid():
                services.propose_counterpart(
                    item,
                    form.cleaned_data["organisation"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
        else:
            raise Http404
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    return item


@login_required
@require_POST
def act(request, kind, pk, action):
    item = _act(request, kind, pk, action)
    if request.headers.get("HX-Request") and action == "move":
        return board(request, kind)
    return safe_next(request, item)
