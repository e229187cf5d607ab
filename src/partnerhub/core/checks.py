from django.core.checks import Warning, register

from partnerhub.core import translations


@register()
def compiled_catalogues_are_current(app_configs, **kwargs):
    """A .mo file older than its .po would show yesterday's texts: say so at start-up."""
    return [
        Warning(
            f"{po.with_suffix('.mo')} is missing or older than {po.name}",
            hint="Run `partnerhub compiletranslations` (the Makefile does this on install).",
            id="partnerhub.W001",
        )
        for po in translations.catalogues()
        if translations.is_stale(po)
    ]
