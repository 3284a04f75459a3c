"""The pool reads jsonb with pydantic-core's parser: the values must be the ones json gives."""

from __future__ import annotations

import json

import pytest

from shared.db import jsonb_value

TEXTS = [
    '{"name": "Mắm tôm Hương Sơn", "n": 3, "x": 1.25, "none": null, "ok": true, "list": [1, "2", [3.5e-7]]}',
    "12345678901234567890123456789",  # beyond 64 bits: an int, not a float
    "-9223372036854775809",
    "[0.1, -0.0, 123456789.123456789, 1e400]",
    '"tab\\t quote\\" slash\\\\ \\u00e9"',
    '{"a": 1, "a": 2}',
    '"\\ud800"',  # a lone surrogate: pydantic-core refuses it, json reads it
]


@pytest.mark.parametrize("text", TEXTS)
def test_jsonb_values_are_the_values_json_reads(text):
    value, expected = jsonb_value(text), json.loads(text)
    assert value == expected
    assert json.dumps(value) == json.dumps(expected)  # the same types too (an int stays an int)
