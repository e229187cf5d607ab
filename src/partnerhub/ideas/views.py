from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.agencies.models import Agency
from partnerhub.core.abuse import rate_limited
from partnerhub.ideas import services
from partnerhub.ideas.forms import AddInformationForm, CreateOrganisationForm, IdeaForm
from partnerhub.ideas.models import IdeaAttachment, ProjectIdea
from partnerhub.organisations.dedupe import find_duplicates
from partnerhub.pipeline.models import Comment
from partnerhub.privacy.models import PrivacyNotice


def submit(request, agency_slug):
    """The public form: no account needed; a rejected submission says why and keeps what was typed."""
    agency = get_object_or_404(Agency, slug=agency_slug)
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, agency=agency)
        if rate_limited(request, "idea"):
            form.add_error(None, _("Too many submissions from your network. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_idea(
                    agency=agency,
                    data=data,
                    files=data["attachments"],
                    language=translation.get_language(),
                    submission_key=data["submission_key"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("attachments", message)
            else:
                return redirect("ideas:submitted")
        if request.FILES and form.errors:
            messages.warning(request, _("For your security, please select your attachments again."))
    else:
        form = IdeaForm(agency=agency)
    context = {"form": form, "agency": agency, "privacy_notice": PrivacyNotice.current()}
    return render(request, "ideas/submit.html", context, status=status)


def submitted(request):
    return render(request, "ideas/submitted.html")


def confirm(request, token):
    idea = ProjectIdea.objects.filter(confirmation_token=token).first()
    if idea is None:
        return render(request, "ideas/confirm.html", {"unknown": True}, status=404)
    if request.method == "POST":
        services.confirm_idea(token)
        return redirect("ideas:status", idea.access_token)
    return render(request, "ideas/confirm.html", {"idea": idea})


def status(request, token):
    """The submitter's personal page: where the idea stands, and a form to add information."""
    idea = get_object_or_404(ProjectIdea, access_token=token)
    form = AddInformationForm()
    if request.method == "POST":
        form = AddInformationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_submitter_information(
                    idea, form.cleaned_data["text"], form.cleaned_data["attachments"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Thank you, the agency has received your information."))
                return redirect("ideas:status", token)
    notes = Comment.objects.filter(target_type__model="projectidea", target_id=idea.pk, from_submitter=True)
    return render(request, "ideas/status.html", {"idea": idea, "form": form, "notes": notes})


@login_required
def detail(request, pk):
    idea = get_object_or_404(
        ProjectIdea.objects.visible_to(request.user).select_related("stage", "owner"), pk=pk
    )
    editable = ProjectIdea.objects.editable_by(request.user).filter(pk=pk).exists()
    candidates = (
        find_duplicates(idea.organisation_name, idea.organisation_website, idea.contact_email)
        if (editable and idea.organisation is None)
        else []
    )
    return render(
        request,
        "ideas/detail.html",
        {
            "idea": idea,
            "editable": editable,
            "candidates": candidates,
            "organisation_form": CreateOrganisationForm(
                candidates=candidates, initial={"region": idea.agency.region_id}
            ),
        },
    )


@login_required
@require_POST
def create_organisation(request, pk):
    idea = get_object_or_404(ProjectIdea.objects.visible_to(request.user), pk=pk)
    candidates = find_duplicates(idea.organisation_name, idea.organisation_website, idea.contact_email)
    form = CreateOrganisationForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            organisation = services.create_organisation_from_idea(
                idea,
                actor=request.user,
                region=form.cleaned_data["region"],
                use_existing=form.cleaned_data["use_existing"],
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("Linked to %(name)s.") % {"name": organisation.name})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("ideas:detail", pk=pk)


def attachment(request, pk):
    """Attachments are served to those who may see the idea, and to the submitter via their link."""
    item = get_object_or_404(IdeaAttachment.objects.select_related("idea"), pk=pk)
    token = request.GET.get("token", "")
    allowed = ProjectIdea.objects.visible_to(request.user).filter(pk=item.idea_id).exists() or (
        token and token == item.idea.access_token
    )
    if not allowed:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


@login_required
def my_ideas(request):
    """Organisation members: their organisation's ideas."""
    ideas = ProjectIdea.objects.visible_to(request.user).filter(Q(organisation__isnull=False))
    return render(request, "ideas/mine.html", {"ideas": ideas})
