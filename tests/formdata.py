"""Submit a page's real form the way a browser does: read the form from the HTML, change some fields, post it.

    page = client.get(url)
    data = form_data(page)                       # the first POST form, as the browser would send it
    data = form_data(page, action="/de/x/save/")  # or the form with that action
    data["title_0"] = "Neuer Titel"
    client.post(url, data)

Values are lists (as in a QueryDict), so checkboxes and multiple selects survive; ``client.post`` accepts that.
Setting a plain string replaces the field's values. Unchecked checkboxes and file inputs are left out, as a
browser leaves them out.
"""

from __future__ import annotations

from html.parser import HTMLParser


class FormData(dict):
    """A form's fields; ``data[name] = "x"`` replaces, ``data.add(name, "x")`` appends (a second checkbox)."""

    def __setitem__(self, key, value):
        super().__setitem__(key, value if isinstance(value, list) else [value])

    def add(self, key, value):
        self.setdefault(key, []).append(value)

    def value(self, key) -> str:
        values = self.get(key) or [""]
        return values[0]


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, FormData]] = []  # (method, action, data)
        self._form: FormData | None = None
        self._select: str | None = None
        self._multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = FormData()
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or "", self._form))
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.add(name, a.get("value") or "on")
            elif kind in ("submit", "button", "image", "reset", "file"):
                pass
            else:
                self._form.add(name, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select, self._multiple, self._options = name, "multiple" in a, []
        elif tag == "option" and self._select is not None:
            self._finish_option()
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""

    def _finish_option(self):
        if self._select is not None and (self._option_value is not None or self._option_text):
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            self._options.append((value, self._option_selected))
        self._option_value, self._option_selected, self._option_text = None, False, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        elif self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self._form.add(self._textarea, text)
            self._textarea = None
        elif tag == "option":
            self._finish_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._finish_option()
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._form.add(self._select, value)
            self._select = None
        elif tag == "form":
            self._form = None


def forms_of(response_or_html) -> list[tuple[str, str, FormData]]:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(response_or_html, *, action: str | None = None, method: str = "post") -> FormData:
    """The fields of the page's first form with ``method`` (and ``action``, if given) as a browser sends them.
    Without ``action``, the header's forms (language switch, sign-out) are passed over."""
    for form_method, form_action, data in forms_of(response_or_html):
        if form_method != method:
            continue
        if action is None and (form_action.endswith("/i18n/setlang/") or "logout" in form_action):
            continue
        if action is None or form_action == action:
            return data
    raise AssertionError(f"no {method} form{' with action ' + action if action else ''} on the page")
