"""Staff pages of agreements: create from a partnership, edit with parties and signatories, documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_edit
from partnerhub.core import editing
from partnerhub.partnerships.agreements import services
from partnerhub.partnerships.agreements.forms import (
    AgreementForm,
    DocumentForm,
    DocumentSettingsForm,
    DocumentVersionForm,
    PartyFormSet,
    SignatoryFormSet,
)
from partnerhub.partnerships.models import Agreement, AgreementDocument, DocumentVersion, Partnership


def _refused() -> PermissionDenied:
    return PermissionDenied(
        _("Only staff of the agency that runs the partnership may change its agreements.")
    )


def _editable(request, queryset, pk):
    """The record if the user may see it (else 404) and change it (else 403)."""
    obj = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    if not can_edit(request.user, obj):
        raise _refused()
    return obj


def _rows(formset) -> tuple[list, list]:
    """The rows a formset would write (new or changed) and the stored rows it removes."""
    kept, removed = [], []
    for form in formset.forms:
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            if form.instance.pk:
                removed.append(form.instance)
        elif form.has_changed():
            kept.append(form)
    return kept, removed


def _agreement_page(request, agreement: Agreement, partnership: Partnership):
    data = request.POST or None
    form = AgreementForm(data, instance=agreement)
    parties = PartyFormSet(data, instance=agreement, prefix="parties")
    signatories = SignatoryFormSet(data, instance=agreement, prefix="signatories", party_forms=parties.forms)
    context = {
        "form": form,
        "parties": parties,
        "signatories": signatories,
        "agreement": agreement if agreement.pk else None,
        "partnership": partnership,
        "conflict": None,
    }
    if request.method == "POST":
        valid = form.is_valid() & parties.is_valid() & signatories.is_valid()
        if valid:
            party_forms, removed_parties = _rows(parties)
            signatory_forms, removed_signatories = _rows(signatories)
            for signatory_form in signatory_forms:
                row = signatory_form.cleaned_data["party_row"]
                signatory_form.instance.party = parties.forms[row].instance
            created = agreement.pk is None
            saved, context["conflict"] = editing.save_through(
                form,
                lambda: services.save_agreement_with_parts(
                    form.instance,
                    actor=request.user,
                    version=form.seen_version,
                    parties=[f.instance for f in party_forms],
                    removed_parties=removed_parties,
                    signatories=[f.instance for f in signatory_forms],
                    removed_signatories=removed_signatories,
                    shared_with=form.cleaned_data["shared_with"],
                ),
            )
            if saved:
                messages.success(
                    request, _("The agreement was created.") if created else _("The changes were saved.")
                )
                return redirect(saved)
    return render(request, "partnerships/agreements/form.html", context)


@login_required
def agreement_create(request, slug):
    partnership = get_object_or_404(Partnership.objects.visible_to(request.user), slug=slug)
    if not can_edit(request.user, partnership):
        raise _refused()
    return _agreement_page(request, Agreement(partnership=partnership), partnership)


@login_required
def agreement_edit(request, pk):
    agreement = _editable(request, Agreement.objects.select_related("partnership"), pk)
    return _agreement_page(request, agreement, agreement.partnership)


@login_required
def agreement_document_add(request, pk):
    agreement = _editable(request, Agreement.objects.select_related("partnership"), pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    context = {"form": form, "agreement": agreement, "document": None, "conflict": None}
    if request.method == "POST" and form.is_valid():
        saved, _conflict = editing.save_through(
            form,
            lambda: services.add_document(
                agreement,
                form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                language=form.cleaned_data["language"],
                visibility=form.cleaned_data["visibility"],
                actor=request.user,
            ),
        )
        if saved:
            messages.success(request, _("The document was added."))
            return redirect(agreement)
    return render(request, "partnerships/agreements/document_form.html", context)


@login_required
def agreement_document_edit(request, pk):
    document = _editable(request, AgreementDocument.objects.select_related("agreement"), pk)
    form = DocumentSettingsForm(request.POST or None, instance=document)
    version_form = DocumentVersionForm()
    context = {
        "form": form,
        "version_form": version_form,
        "agreement": document.agreement,
        "document": document,
    }
    context["conflict"] = None
    if request.method == "POST" and form.is_valid():
        saved, context["conflict"] = editing.save_through(
            form,
            lambda: services.save_document(form.instance, actor=request.user, version=form.seen_version),
        )
        if saved:
            messages.success(request, _("The changes were saved."))
            return redirect(document.agreement)
    context["versions"] = document.older_versions.select_related("uploaded_by")
    return render(request, "partnerships/agreements/document_form.html", context)


@login_required
def agreement_document_version_add(request, pk):
    document = _editable(request, AgreementDocument.objects.select_related("agreement"), pk)
    if request.method != "POST":
        return redirect("partnerships:agreement_document_edit", document.pk)
    version_form = DocumentVersionForm(request.POST, request.FILES)
    if version_form.is_valid():
        saved, _conflict = editing.save_through(
            version_form,
            lambda: services.add_document_version(
                document, version_form.cleaned_data["file"], actor=request.user
            ),
        )
        if saved:
            messages.success(request, _("The new version was uploaded; the older one is kept."))
            return redirect(document.agreement)
    context = {
        "form": DocumentSettingsForm(instance=document),
        "version_form": version_form,
        "agreement": document.agreement,
        "document": document,
        "versions": document.older_versions.select_related("uploaded_by"),
        "conflict": None,
    }
    return render(request, "partnerships/agreements/document_form.html", context)


def agreement_document_version(request, pk):
    """An older version of a document, for whoever may open the document (the one visibility rule)."""
    version = get_object_or_404(DocumentVersion.objects.visible_to(request.user), pk=pk)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=version.filename)
