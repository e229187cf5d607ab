"""The notification settings page, the unsubscribe link of the e-mails, and the operators' outbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from partnerhub.accounts.permissions import can_manage_outbox, user_passes
from partnerhub.notifications import outbox, preferences
from partnerhub.notifications.forms import PreferencesForm
from partnerhub.notifications.models import Kind, OutgoingEmail


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    form = PreferencesForm(
        request.POST or None, initial={"kinds": sorted(preferences.switched_on(request.user))}
    )
    if request.method == "POST" and form.is_valid():
        preferences.set_preferences(request.user, form.cleaned_data["kinds"], actor=request.user)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks (mail scanners open links), POST switches the kind off for the address in the link."""
    found = preferences.read_token(token)
    if found is None:
        raise Http404
    email, kind = found
    done = request.method == "POST"
    if done:
        preferences.unsubscribe(email, kind)
    return render(
        request, "notifications/unsubscribe.html", {"email": email, "label": Kind(kind).label, "done": done}
    )


outbox_managers_only = user_passes(
    can_manage_outbox, gettext_lazy("Only the platform's operators may do this.")
)


@login_required
@outbox_managers_only
@require_http_methods(["GET"])
def outbox_page(request):
    """The e-mails that did not go out yet: failed ones first to act on, then those waiting for a retry."""
    emails = OutgoingEmail.objects.filter(
        status__in=[OutgoingEmail.Status.FAILED, OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING]
    ).order_by("-created_at", "-pk")
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()
    return render(request, "notifications/outbox.html", {"page": page, "failed": failed})


@login_required
@outbox_managers_only
@require_http_methods(["POST"])
def outbox_resend(request, pk):
    email = get_object_or_404(OutgoingEmail, pk=pk)
    outbox.resend_email(email, actor=request.user)
    messages.success(request, _("The e-mail to %(to)s is sent again.") % {"to": ", ".join(email.to)})
    return redirect("notifications:outbox")


@login_required
@outbox_managers_only
@require_http_methods(["POST"])
def outbox_resend_failed(request):
    emails = list(OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED))
    for email in emails:
        outbox.resend_email(email, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d failed e-mail is sent again.", "%(count)d failed e-mails are sent again.", len(emails)
        )
        % {"count": len(emails)},
    )
    return redirect("notifications:outbox")
