"""The notification settings page and the unsubscribe link of the e-mails."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerhub.notifications import preferences
from partnerhub.notifications.forms import PreferencesForm
from partnerhub.notifications.models import Kind


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
