"""Existing accounts' addresses count as verified (decision 0015).

Accounts were created by the agency, so the address each signs in with is the one the agency gave it — except
when the user set it on the e-mail page, which checked nothing before (``ACCOUNT_EMAIL_VERIFICATION`` was
"none"): such an address has an unverified allauth row and stays unverified, so it must be confirmed now.
"""

from django.db import migrations


def verify_given_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.exclude(email="").iterator():
        email = user.email.lower()
        if EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).exists():
            continue  # typed on the e-mail page (unverified stays so) or already confirmed
        if EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
            continue  # another account proved it; allauth allows one verified owner per address
        has_primary = EmailAddress.objects.filter(user_id=user.pk, primary=True).exists()
        EmailAddress.objects.create(user_id=user.pk, email=email, verified=True, primary=not has_primary)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_time_zone"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_given_addresses, migrations.RunPython.noop)]
