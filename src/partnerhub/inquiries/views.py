"""The public inquiry form, and the staff inbox where inquiries are answered and closed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.abuse import rate_limited
from partnerhub.core.audit import history
from partnerhub.inquiries import services
from partnerhub.inquiries.forms import AnswerForm, InquiryForm, parse_key
from partnerhub.inquiries.models import Inquiry
from partnerhub.partnerships.models import Partnership

SENT_TO_SESSION_KEY = "inquiries:sent_to"
INBOX_PAGE_SIZE = 50


def _already_submitted(request) -> bool:
    """A re-post of a form whose inquiry exists: answered like the first post, without counting it."""
    key = parse_key(request.POST.get("submission_key"))
    return key is not None and Inquiry.objects.filter(submission_key=key).exists()


def new_inquiry(request, partnership_slug):
    partnership = get_object_or_404(
        Partnership.objects.visible_to(request.user).select_related("agency"), slug=partnership_slug
    )
    status = 200
    if request.method == "POST":
        form = InquiryForm(request.POST)
        if _already_submitted(request):
            return redirect("inquiries:thanks")
        if rate_limited(request, "inquiry"):
            form.add_error(
                None,
                _(
                    "Too many inquiries have been sent from your network in the last hour. "
                    "Please try again later; what you typed is still in the form."
                ),
            )
            status = 429
        elif form.is_valid():
            services.submit_inquiry(
                partnership,
                form.cleaned_data,
                language=translation.get_language(),
                submission_key=form.cleaned_data["submission_key"],
                actor=request.user,
            )
            request.session[SENT_TO_SESSION_KEY] = partnership.slug
            return redirect("inquiries:thanks")
    else:
        form = InquiryForm()
    return render(request, "inquiries/form.html", {"form": form, "partnership": partnership}, status=status)


def thanks(request):
    slug = request.session.get(SENT_TO_SESSION_KEY)
    partnership = Partnership.objects.visible_to(request.user).filter(slug=slug).first() if slug else None
    return render(request, "inquiries/thanks.html", {"partnership": partnership})


@login_required
def inbox(request):
    inquiries = Inquiry.objects.visible_to(request.user).select_related("partnership", "answered_by")
    status = request.GET.get("status", "")
    if status in Inquiry.Status.values:
        inquiries = inquiries.filter(status=status)
    else:
        status = ""
    page = Paginator(inquiries.order_by("-created_at", "-pk"), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "inquiries/inbox.html",
        {"page": page, "status": status, "statuses": Inquiry.Status.choices},
    )


def _visible_inquiry(request, pk) -> Inquiry:
    return get_object_or_404(
        Inquiry.objects.visible_to(request.user).select_related("partnership__agency", "answered_by"), pk=pk
    )


def _render_detail(request, inquiry: Inquiry, form: AnswerForm, status: int = 200):
    return render(
        request,
        "inquiries/detail.html",
        {
            "inquiry": inquiry,
            "replies": inquiry.replies.select_related("author"),
            "history": history(inquiry)[:20],
            "form": form,
        },
        status=status,
    )


@login_required
def detail(request, pk):
    inquiry = _visible_inquiry(request, pk)
    return _render_detail(request, inquiry, AnswerForm())


@login_required
@require_POST
def answer(request, pk):
    inquiry = _visible_inquiry(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_inquiry(
                inquiry,
                form.cleaned_data["body"],
                actor=request.user,
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Your answer was sent to %(email)s.") % {"email": inquiry.sender_email}
            )
            return redirect(inquiry)
    return _render_detail(request, inquiry, form)


@login_required
@require_POST
def close(request, pk):
    inquiry = _visible_inquiry(request, pk)
    services.close_inquiry(inquiry, actor=request.user)
    messages.success(request, _("The inquiry was closed."))
    return redirect(reverse("inquiries:inbox"))
