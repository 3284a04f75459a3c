"""Vietnamese text folding: "Bánh gai Tứ Trụ" → "banh gai tu tru", so search works typed without accents."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, without diacritics (đ → d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().lower()


def clean(text: str) -> str:
    """Composed Unicode (NFC) with single spaces: how names are stored and shown."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def searchable(*texts: str) -> str:
    """The key a search matches: stored rows and typed queries both fold through here, so "banh gai" finds "Bánh gai"."""
    return fold(" ".join(texts))
