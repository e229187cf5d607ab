from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_add, can_edit
from partnerhub.core import deletion, editing
from partnerhub.core.audit import history
from partnerhub.delegations.models import Delegation
from partnerhub.partnerships import services
from partnerhub.partnerships.forms import PartnershipForm
from partnerhub.partnerships.models import Agreement, AgreementDocument, Partnership


def partnership_list(request):
    partnerships = Partnership.objects.visible_to(request.user).select_related(
        "agency", "home_region", "partner_region"
    )
    return render(
        request,
        "partnerships/list.html",
        {"partnerships": partnerships, "may_add": can_add(request.user, Partnership)},
    )


def partnership_detail(request, slug):
    partnership = get_object_or_404(
        Partnership.objects.visible_to(request.user).select_related(
            "agency", "home_region", "partner_region", "owner", "contact__organisation"
        ),
        slug=slug,
    )
    editable = Partnership.objects.editable_by(request.user).filter(pk=partnership.pk).exists()
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": partnership,
            "agreements": Agreement.objects.visible_to(request.user).filter(partnership=partnership),
            "delegations": Delegation.objects.visible_to(request.user).filter(partnership=partnership),
            "shared_with": partnership.shared_with.all() if editable else [],
            "history": history(partnership)[:20] if editable else [],
            "editable": editable,
        },
    )


def agreement_detail(request, pk):
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related("partnership"), pk=pk
    )
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": agreement.parties.prefetch_related("signatories").select_related("region"),
            "documents": AgreementDocument.objects.visible_to(request.user)
            .filter(agreement=agreement)
            .select_related("uploaded_by")
            .prefetch_related("older_versions__uploaded_by"),
            "may_edit": can_edit(request.user, agreement),
            "history": history(agreement)[:20] if can_edit(request.user, agreement) else [],
        },
    )


def document_download(request, pk):
    """A document is served only to those it is meant for, never beyond who may see the agreement."""
    document = get_object_or_404(AgreementDocument.objects.visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


# --- the partnership's own editing -------------------------------------------------------------------


def _save(request, form: PartnershipForm, context: dict):
    saved, context["conflict"] = editing.save_through(
        form,
        lambda: services.save_partnership(
            form.instance,
            actor=request.user,
            shared_with=form.cleaned_data["shared_with"],
            version=form.seen_version,
        ),
    )
    return saved


@login_required
def partnership_create(request):
    if not can_add(request.user, Partnership):
        raise PermissionDenied(_("Only staff of an agency may start a partnership for their agency."))
    form = PartnershipForm(request.POST or None, instance=Partnership(), user=request.user)
    context = {"form": form, "partnership": None}
    if request.method == "POST" and form.is_valid() and _save(request, form, context):
        messages.success(request, _("The partnership was created."))
        return redirect(form.instance)
    return render(request, "partnerships/form.html", context)


def _editable(request, slug) -> Partnership:
    partnership = get_object_or_404(Partnership.objects.visible_to(request.user), slug=slug)
    if not can_edit(request.user, partnership):
        raise PermissionDenied(_("Only the agency that runs this partnership may change it."))
    return partnership


@login_required
def partnership_edit(request, slug):
    partnership = _editable(request, slug)
    form = PartnershipForm(request.POST or None, instance=partnership, user=request.user)
    context = {"form": form, "partnership": partnership}
    if request.method == "POST" and form.is_valid() and _save(request, form, context):
        messages.success(request, _("The changes were saved."))
        return redirect(form.instance)
    return render(request, "partnerships/form.html", context)


@login_required
def partnership_delete(request, slug):
    partnership = _editable(request, slug)
    return deletion.confirm_delete(
        request,
        partnership,
        lambda: services.delete_partnership(partnership, actor=request.user),
        done=_("The partnership was deleted."),
        then="partnerships:list",
    )
