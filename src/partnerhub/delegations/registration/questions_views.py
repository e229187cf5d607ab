"""Staff pages for a trip's registration questions; the rules live in ``registration/questions.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.accounts.permissions import can_edit
from partnerhub.core import editing
from partnerhub.delegations.models import Delegation, RegistrationQuestion
from partnerhub.delegations.registration import questions
from partnerhub.delegations.registration.questions_forms import QuestionForm
from partnerhub.delegations.registration.sensitive import SENSITIVE_ANSWERS


def organised_trip(request, slug) -> Delegation:
    """The trip, if the user may see it (else 404), and only for its organisers (else 403)."""
    trip = get_object_or_404(Delegation.objects.visible_to(request.user), slug=slug)
    if not can_edit(request.user, trip):
        raise PermissionDenied(_("Only the organisers of this trip can do that."))
    return trip


def _question(trip, pk) -> RegistrationQuestion:
    return get_object_or_404(trip.questions.select_related("depends_on"), pk=pk)


@login_required
def question_list(request, slug):
    trip = organised_trip(request, slug)
    rows = [
        {
            "question": q,
            "answers": questions.answer_count(q),
            "sensitive": q.key in SENSITIVE_ANSWERS,
        }
        for q in trip.questions.select_related("depends_on")
    ]
    return render(request, "delegations/questions/list.html", {"trip": trip, "rows": rows})


def _form_page(request, trip, question):
    form = QuestionForm(request.POST or None, instance=question, trip=trip)
    context = {"trip": trip, "form": form, "question": question if question.pk else None, "conflict": None}
    if request.method == "POST" and form.is_valid():
        saved, context["conflict"] = editing.save_through(
            form,
            lambda: questions.save_question(form.instance, actor=request.user, version=form.seen_version),
        )
        if saved:
            messages.success(request, _("The question was saved."))
            return redirect("delegations:question_list", slug=trip.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "delegations/questions/form.html", context, status=status)


@login_required
def question_add(request, slug):
    trip = organised_trip(request, slug)
    return _form_page(request, trip, RegistrationQuestion(delegation=trip))


@login_required
def question_edit(request, slug, pk):
    trip = organised_trip(request, slug)
    return _form_page(request, trip, _question(trip, pk))


@login_required
@require_POST
def question_move(request, slug, pk):
    trip = organised_trip(request, slug)
    questions.move_question(_question(trip, pk), actor=request.user, up=request.POST.get("direction") == "up")
    return redirect("delegations:question_list", slug=trip.slug)


@login_required
@require_POST
def question_delete(request, slug, pk):
    trip = organised_trip(request, slug)
    try:
        questions.delete_question(_question(trip, pk), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question was deleted."))
    return redirect("delegations:question_list", slug=trip.slug)
