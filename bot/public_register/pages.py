"""The public pages rendered with Jinja2 (autoescape on) from `templates/`: Bokmål, no
JavaScript, the words from the catalogue (`texts.py`)."""

from __future__ import annotations

import hashlib
from datetime import date
from importlib import resources
from typing import Any, Final

import jinja2
from babel.dates import format_date

from bot.conversation.texts import text
from bot.public_register.open_data import detail_path
from followup.orgnr import format_organisation_number
from followup.public_register import CATEGORY_LABELS, OPTION_STATUS_LABELS, Validity

LOCALE: Final = "nb"
STYLESHEET: Final = "stil.css"


def _t(key: str, **values: Any) -> str:
    return text(key, LOCALE, **values)


def _long_date(value: date | None) -> str:
    return "" if value is None else format_date(value, "d. MMMM y", locale="nb_NO")


def _orgnr(value: str) -> str:
    return format_organisation_number(value) if len(value) == 9 else value


class Pages:
    """The templates, and a fingerprint of them and the stylesheet (for ETags: a new release
    changes the pages even when the register did not)."""

    def __init__(self, accessibility_url: str) -> None:
        package = resources.files("bot.public_register")
        self._env = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.public_register", "templates"),
            autoescape=jinja2.select_autoescape(("html",), default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.globals.update(
            t=_t,
            long_date=_long_date,
            orgnr=_orgnr,
            detail_path=detail_path,
            option_label=OPTION_STATUS_LABELS.__getitem__,
            category_label=CATEGORY_LABELS.__getitem__,
            validities=[v.value for v in Validity],
            accessibility_url=accessibility_url,
        )
        self.stylesheet = (package / "static" / STYLESHEET).read_bytes()
        digest = hashlib.sha256(self.stylesheet)
        for name in sorted(self._env.list_templates()):
            digest.update((package / "templates" / name).read_bytes())
        digest.update(accessibility_url.encode())
        self.fingerprint = digest.hexdigest()[:12]

    def render(self, template: str, **values: Any) -> str:
        return self._env.get_template(template).render(**values)
