"""Existing registrations become their person's where an account has verified the registration's address."""

from django.db import migrations


def link_participants(apps, schema_editor):
    Registration = apps.get_model("delegations", "Registration")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for address in EmailAddress.objects.filter(verified=True).iterator():
        Registration.objects.filter(email__iexact=address.email, participant__isnull=True).update(
            participant_id=address.user_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("delegations", "0004_registration_participant"),
        ("accounts", "0005_verified_addresses"),
    ]

    operations = [migrations.RunPython(link_participants, migrations.RunPython.noop)]
