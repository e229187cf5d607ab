"""What the pipeline tells other apps (notifications listen in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent inside the service's transaction, after the change and its audit entry are written.
stage_changed = Signal()  # sender=item class; item, old (Stage | None), new (Stage), actor
comment_added = Signal()  # sender=item class; item, comment, actor
counterpart_proposed = Signal()  # sender=item class; item, proposal, actor
