"""Schema compatibility under the full-transitive rule: a pure comparison of two JSON Schemas of one event.

Consumers and producers of any older version must keep working with the newer one, in both directions, so between
a released schema and its successor:

- the required fields are identical (a field made required breaks old producers, one made optional or removed breaks
  old consumers);
- types, enums, consts, formats and every constraint (bounds, lengths, patterns, closedness) are identical, at every
  depth, through ``$ref`` into ``$defs`` as pydantic writes them;
- only an optional property may be added or removed, and only in an object that lets unknown properties through
  (``additionalProperties`` absent or true, as in every ``data`` model): in a closed object (``additionalProperties:
  false``, the envelope and its actor, or a schema every unknown property must meet) an older reader refuses a new
  field and a newer reader an old one, so even that is breaking there;
- descriptions, titles, examples and comments are annotations and may change freely (a ``default`` is not: a reader
  fills it in for a field left out).

A breaking change ships as a new major version: a new event type file ``<Event>.v<n+1>.json`` on a new topic,
published beside the old one for a transition period (``shared.contracts.releases`` checks that part).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# A ``default`` is not among them: a reader fills it in for a field left out, so changing it changes what it reads.
ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "deprecated", "readOnly", "writeOnly"})
# Keywords whose value is a schema, or a list or map of schemas: compared by recursion, not by equality.
_SUBSCHEMA = frozenset({"items", "contains", "not", "if", "then", "else", "propertyNames", "additionalItems",
                        "unevaluatedItems", "unevaluatedProperties"})
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_SCHEMA_MAPS = frozenset({"patternProperties", "dependentSchemas"})
_UNORDERED = frozenset({"enum", "type", "required"})
# Handled by the object rules below, or identity of the document itself (the file name carries the version).
_OBJECT = frozenset({"properties", "required", "additionalProperties", "$defs", "definitions", "$id", "$schema"})


@dataclass(frozen=True, slots=True)
class Breach:
    """One breaking difference: the event, where (a dotted field path, ``(root)`` for the envelope) and which rule."""

    event: str
    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.event}: {self.path}: {self.rule}"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _where(path: str) -> str:
    return path or "(root)"


class _Comparison:
    def __init__(self, event: str, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.event = event
        self.roots = (old_root, new_root)
        self.breaches: list[Breach] = []
        self._in_progress: set[tuple[str | None, str | None]] = set()

    def breach(self, path: str, rule: str) -> None:
        self.breaches.append(Breach(self.event, _where(path), rule))

    def _resolve(self, node: Any, side: int) -> tuple[Any, str | None]:
        """The schema a ``$ref`` points to (siblings of the ``$ref`` kept), and the ref followed, if any."""
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node, None
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node, None  # a remote reference is compared as written
        target: Any = self.roots[side]
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                self.breach("", f"$ref {ref} points nowhere")
                return {}, ref
            target = target[part]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        resolved, inner = self._resolve(target, side)
        merged = {**resolved, **siblings} if isinstance(resolved, dict) else resolved
        return merged, inner or ref

    def compare(self, old: Any, new: Any, path: str) -> None:
        old, old_ref = self._resolve(old, 0)
        new, new_ref = self._resolve(new, 1)
        if old_ref or new_ref:
            key = (old_ref, new_ref)
            if key in self._in_progress:
                return  # a recursive model: this pair is being compared further up
            self._in_progress.add(key)
            try:
                self._compare_resolved(old, new, path)
            finally:
                self._in_progress.discard(key)
        else:
            self._compare_resolved(old, new, path)

    def _compare_resolved(self, old: Any, new: Any, path: str) -> None:
        if isinstance(old, bool) or isinstance(new, bool) or not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                self.breach(path, f"schema changed from {_show(old)} to {_show(new)}")
            return
        keys = (set(old) | set(new)) - ANNOTATIONS - _OBJECT
        for keyword in sorted(keys):
            self._keyword(keyword, old, new, path)
        if "properties" in old or "properties" in new or "required" in old or "required" in new:
            self._object(old, new, path)
        self._additional(old, new, path)

    def _keyword(self, keyword: str, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        if keyword not in new:
            self.breach(path, f"{keyword} {_show(old[keyword])} removed (constraints must stay identical)")
            return
        if keyword not in old:
            self.breach(path, f"{keyword} {_show(new[keyword])} added (constraints must stay identical)")
            return
        before, after = old[keyword], new[keyword]
        if keyword in _SUBSCHEMA:
            self.compare(before, after, _join(path, "[]") if keyword == "items" else path + f" ({keyword})")
        elif keyword in _SCHEMA_LISTS and isinstance(before, list) and isinstance(after, list):
            if len(before) != len(after):
                self.breach(path, f"{keyword} has {len(after)} branches instead of {len(before)}")
                return
            for one, other in zip(before, after, strict=True):
                self.compare(one, other, path)  # branch by branch; the path names the field, not the branch
        elif keyword in _SCHEMA_MAPS and isinstance(before, dict) and isinstance(after, dict):
            if set(before) != set(after):
                self.breach(path, f"{keyword} keys changed from {_show(sorted(before))} to {_show(sorted(after))}")
                return
            for name in sorted(before):
                self.compare(before[name], after[name], path + f" ({keyword} {name})")
        elif keyword in _UNORDERED and isinstance(before, list) and isinstance(after, list):
            if sorted(map(_show, before)) != sorted(map(_show, after)):
                self.breach(path, f"{keyword} changed from {_show(before)} to {_show(after)}")
        elif before != after:
            self.breach(path, f"{keyword} changed from {_show(before)} to {_show(after)}")

    def _object(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        # Closed: unknown properties are refused (false) or held to a schema (a map's values), not let through.
        closed_before = old.get("additionalProperties", True) is not True
        closed_after = new.get("additionalProperties", True) is not True
        for name in sorted(set(old_props) | set(new_props) | old_required | new_required):
            field = _join(path, name)
            was_required, is_required = name in old_required, name in new_required
            if name not in new_props:
                self._one_sided(field, "removed from", was_required, closed_after,
                                "consumers of the older version need it",
                                "readers of the newer version refuse what older producers still send")
            elif name not in old_props:
                self._one_sided(field, "added to", is_required, closed_before,
                                "producers of the older version do not send it",
                                "readers of the older version refuse it")
            else:
                self._both_sides(field, was_required, is_required, old_props[name], new_props[name])

    def _one_sided(self, field: str, change: str, required: bool, closed: bool, why_required: str,
                   why_closed: str) -> None:
        """A property on one side only: breaking when required, or when its object is closed."""
        verb = change.split()[0]
        if required:
            self.breach(field, f"required field {verb} ({why_required})")
        elif closed:
            self.breach(field, f"optional field {change} a closed object (additionalProperties false): {why_closed}")

    def _both_sides(self, field: str, was_required: bool, is_required: bool, old: Any, new: Any) -> None:
        if was_required and not is_required:
            self.breach(field, "required field made optional (consumers of the older version need it)")
        elif is_required and not was_required:
            self.breach(field, "optional field made required (producers of the older version may omit it)")
        self.compare(old, new, field)

    def _additional(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        before, after = old.get("additionalProperties", True), new.get("additionalProperties", True)
        if isinstance(before, dict) and isinstance(after, dict):
            self.compare(before, after, path + " (additionalProperties)")
        elif before != after:
            self.breach(path, f"additionalProperties changed from {_show(before)} to {_show(after)}")


def breaking_changes(event: str, released: dict[str, Any], candidate: dict[str, Any]) -> list[Breach]:
    """Every way ``candidate`` breaks readers or writers of ``released`` (empty when it is compatible)."""
    comparison = _Comparison(event, released, candidate)
    comparison.compare(released, candidate, "")
    return comparison.breaches
