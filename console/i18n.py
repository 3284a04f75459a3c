"""Vietnamese by default, English as a switch: every text of the console by key, in both languages.

Each page keeps its texts in ``console/messages/<page>.py`` (``VI`` and ``EN``, the same keys); this module joins
them. A key missing from a language shows the key itself, and ``tests/console/test_messages.py`` fails on it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from console import messages

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Language → key → text, from every module of :mod:`console.messages`; a key defined twice is an error."""
    joined: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for module_info in pkgutil.iter_modules(messages.__path__):
        module = importlib.import_module(f"{messages.__name__}.{module_info.name}")
        for language in LANGUAGES:
            texts: dict[str, str] = getattr(module, language.upper())
            clash = joined[language].keys() & texts.keys()
            if clash:
                raise ValueError(f"console.messages.{module_info.name}: {sorted(clash)} defined twice")
            joined[language].update(texts)
    return joined


def language_of(value: object) -> str:
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str):
    """``t(key, **values)`` for one language: the text with ``{name}`` filled from ``values``."""
    texts = catalogue()[language_of(language)]

    def t(key: str, **values: object) -> str:
        text = texts.get(key, key)
        return text.format(**values) if values else text

    return t
