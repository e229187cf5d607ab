"""Keys for recognising the same organisation written differently (script, legal form, web address)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from partnerhub.engines.textsearch import normalise
from partnerhub.engines.transliteration import transliterate

LEGAL_FORMS = [
    "gmbh & co. kg", "gmbh & co kg", "ggmbh", "gmbh", "mbh", "ag", "kg", "ohg", "e. v.", "e.v.", "ev", "ug",
    "se", "co., ltd.", "co. ltd.", "co., ltd", "co ltd", "ltd.", "ltd", "inc.", "inc", "llc", "corp.", "corp",
    "股份有限公司", "有限责任公司", "有限公司", "集团", "公司",
]  # fmt: skip
# Mail providers whose domain says nothing about the organisation.
PUBLIC_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "gmx.de", "gmx.net",
    "web.de", "t-online.de", "freenet.de", "icloud.com", "qq.com", "163.com", "126.com", "sina.com",
    "foxmail.com", "aliyun.com", "yeah.net", "example.org", "example.cn", "example.com",
}  # fmt: skip


def company_name_key(name: str) -> str:
    """Lower-case Latin letters and digits of a name without its legal form: 'Pfalz Robotik GmbH' → 'pfalzrobotik'.

    Chinese names are compared by their pinyin, so 扬州恒通汽车零部件有限公司 and
    'Yangzhou Hengtong Qiche Lingbujian' give the same key.
    """
    text = name.strip()
    for form in LEGAL_FORMS:
        if any("\u4e00" <= c <= "\u9fff" for c in form):
            text = text.replace(form, "")
    text = normalise(transliterate(text))
    for form in LEGAL_FORMS:
        text = re.sub(r"(?<![\w])" + re.escape(form) + r"(?![\w])", " ", text)
    return re.sub(r"[^a-z0-9]", "", text)


def domain_of(address: str) -> str:
    """The registrable part of a web address or e-mail address: 'https://www.x.example.org/a' → 'x.example.org'."""
    address = address.strip().lower()
    if not address:
        return ""
    if "@" in address and "://" not in address:
        host = address.rsplit("@", 1)[1]
    else:
        host = urlsplit(address if "://" in address else f"//{address}").hostname or ""
    return host.removeprefix("www.")


def is_telling_domain(domain: str) -> bool:
    return bool(domain) and domain not in PUBLIC_MAIL_DOMAINS
