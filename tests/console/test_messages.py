"""Every text of the console exists in Vietnamese and English, and every key a template names is defined."""

from __future__ import annotations

import re
from pathlib import Path

import console
from console.i18n import LANGUAGES, catalogue, translator
from console.session import PAGE_ORDER

TEMPLATES = Path(console.__file__).with_name("templates")
# A whole key (``t("nav.rating")``); a key built in the template (``t("nav." ~ page)``) is checked by its parts.
_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']\s*[,)]""")


def test_both_languages_have_the_same_keys():
    texts = catalogue()
    vi, en = set(texts["vi"]), set(texts["en"])
    assert vi - en == set(), "missing in English"
    assert en - vi == set(), "missing in Vietnamese"


def test_every_key_a_template_uses_is_defined():
    used = {key for path in TEMPLATES.rglob("*.html") for key in _KEY.findall(path.read_text(encoding="utf-8"))}
    used |= {f"nav.{page.value}" for page in PAGE_ORDER}
    assert used, "the pattern finds the templates' keys"
    for language in LANGUAGES:
        assert used - set(catalogue()[language]) == set(), language


def test_vietnamese_keeps_its_diacritics_and_differs_from_english():
    t_vi, t_en = translator("vi"), translator("en")
    assert t_vi("nav.rating") == "Đánh giá, phân hạng"
    assert t_en("nav.rating") == "Rating"
    assert t_vi("session.signed_in_as", actor="an", role="operator") == "Đăng nhập: an — operator"
    # An unknown language is Vietnamese, the default.
    assert translator("fr")("nav.finance") == "Tài chính"
