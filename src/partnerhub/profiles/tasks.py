"""Daily housekeeping of cooperation profiles, run as background tasks (or by `profiles_housekeeping`)."""

from django_tasks import task

from partnerhub.profiles import services


@task()
def expire_profiles_task() -> int:
    return services.expire_due_profiles()


@task()
def profile_reminders_task() -> int:
    return services.send_expiry_reminders()
