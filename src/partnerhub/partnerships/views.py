from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from partnerhub.core.audit import history
from partnerhub.delegations.models import Delegation
from partnerhub.partnerships.models import Agreement, AgreementDocument, Partnership


def partnership_list(request):
    partnerships = Partnership.objects.visible_to(request.user).select_related(
        "agency", "home_region", "partner_region"
    )
    return render(request, "partnerships/list.html", {"partnerships": partnerships})


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
            "documents": agreement.documents.all(),
        },
    )


def document_download(request, pk):
    """Agreement documents are served only to those who may see the agreement."""
    document = get_object_or_404(AgreementDocument, pk=pk)
    if not Agreement.objects.visible_to(request.user).filter(pk=document.agreement_id).exists():
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])
