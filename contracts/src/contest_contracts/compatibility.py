"""Is a new JSON Schema of a payload backward compatible with the committed one?

A consumer built against the committed schema must read everything a producer built
against the new schema writes, and vice versa for producers. So, at any depth:

- a field may not be removed, nor change its type, format, or (for constants) its value;
- a new field must be optional (not in ``required``), and an optional field may not
  become required;
- enumerations may not lose or gain values (old consumers reject unknown values, old
  producers still send removed ones); unions may not lose or gain variants.

Anything else (descriptions, titles, defaults, constraints made looser or tighter on
documentation-only keywords) is compatible. A breaking change needs a new topic version.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every incompatibility between two schemas of one payload, as readable lines."""
    problems: list[str] = []
    _compare(_Resolver(old), old, _Resolver(new), new, "$", problems)
    return problems


class _Resolver:
    """Follows local ``$ref``s (``#/$defs/Name`` or ``#/components/schemas/Name``)."""

    def __init__(self, root: Schema) -> None:
        self.root = root

    def resolve(self, schema: Schema) -> Schema:
        seen: set[str] = set()
        while "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            seen.add(ref)
            target: Any = self.root
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema


def _variants(schema: Schema) -> list[Schema] | None:
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            return list(schema[keyword])
    return None


def _variant_key(resolver: _Resolver, schema: Schema) -> str:
    resolved = resolver.resolve(schema)
    if "title" in resolved and resolved.get("type") == "object":
        return f"object:{resolved['title']}"
    if "const" in resolved:
        return f"const:{resolved['const']!r}"
    if "enum" in resolved:
        return f"enum:{sorted(map(repr, resolved['enum']))}"
    return f"{resolved.get('type', 'any')}:{resolved.get('format', '')}"


def _compare(
    old_resolver: _Resolver,
    old: Schema,
    new_resolver: _Resolver,
    new: Schema,
    path: str,
    problems: list[str],
) -> None:
    old = old_resolver.resolve(old)
    new = new_resolver.resolve(new)

    old_variants, new_variants = _variants(old), _variants(new)
    if old_variants is not None or new_variants is not None:
        _compare_unions(
            old_resolver, old_variants or [old], new_resolver, new_variants or [new], path, problems
        )
        return

    for keyword in ("type", "format", "const"):
        if old.get(keyword) != new.get(keyword):
            problems.append(
                f"{path}: {keyword} changed from {old.get(keyword)!r} to {new.get(keyword)!r}"
            )
    if "enum" in old or "enum" in new:
        removed = [v for v in old.get("enum", []) if v not in new.get("enum", [])]
        added = [v for v in new.get("enum", []) if v not in old.get("enum", [])]
        if removed:
            problems.append(f"{path}: enum values removed {removed}")
        if added:
            problems.append(f"{path}: enum values added {added}")

    old_properties: dict[str, Schema] = old.get("properties", {})
    new_properties: dict[str, Schema] = new.get("properties", {})
    old_required = set(old.get("required", []))
    new_required = set(new.get("required", []))
    for name, old_property in old_properties.items():
        if name not in new_properties:
            problems.append(f"{path}.{name}: field removed")
            continue
        if name in new_required and name not in old_required:
            problems.append(f"{path}.{name}: optional field became required")
        _compare(
            old_resolver,
            old_property,
            new_resolver,
            new_properties[name],
            f"{path}.{name}",
            problems,
        )
    for name in new_properties.keys() - old_properties.keys():
        if name in new_required:
            problems.append(f"{path}.{name}: new required field")

    for keyword in ("items", "additionalProperties"):
        old_sub, new_sub = old.get(keyword), new.get(keyword)
        if isinstance(old_sub, dict) and isinstance(new_sub, dict):
            _compare(old_resolver, old_sub, new_resolver, new_sub, f"{path}[]", problems)
        elif isinstance(old_sub, dict) != isinstance(new_sub, dict):
            problems.append(f"{path}: {keyword} changed")


def _compare_unions(
    old_resolver: _Resolver,
    old_variants: list[Schema],
    new_resolver: _Resolver,
    new_variants: list[Schema],
    path: str,
    problems: list[str],
) -> None:
    old_keyed = {_variant_key(old_resolver, v): v for v in old_variants}
    new_keyed = {_variant_key(new_resolver, v): v for v in new_variants}
    for key, old_variant in old_keyed.items():
        if key not in new_keyed:
            problems.append(f"{path}: union variant {key} removed")
            continue
        _compare(
            old_resolver, old_variant, new_resolver, new_keyed[key], f"{path}<{key}>", problems
        )
    for key in new_keyed.keys() - old_keyed.keys():
        problems.append(f"{path}: union variant {key} added")
