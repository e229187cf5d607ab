from django.conf import settings


def site(request):
    return {"LANGUAGE_CHOICES": settings.LANGUAGES}
