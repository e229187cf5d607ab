"""Static files in production: WhiteNoise's hashed, compressed storage, source-map links left as they are.

The vendored minified scripts name source maps (``//# sourceMappingURL=chart.umd.min.js.map``) that we do
not ship; Django's manifest storage would refuse to collect them. Browsers fetch a map only when the
developer tools are open, so the link stays unhashed and unresolved.
"""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in (p if isinstance(p, str) else p[0])))
        for extension, rules in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
