from django_tasks import task

from partnerhub.ideas import services


@task()
def purge_unconfirmed_ideas() -> int:
    return services.purge_unconfirmed()
