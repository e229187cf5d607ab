# Chinese business texts group large numbers in thousands with a comma (4,580,000), as the Common Locale
# Data Repository does for zh-Hans; Django's own zh_Hans formats print them ungrouped. Everything else is
# taken over from Django's formats.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
