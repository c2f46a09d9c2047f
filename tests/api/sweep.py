"""Walking the app's OpenAPI: every operation, its parameters and an example body, so that a
sweep test covers tomorrow's endpoint without anyone remembering to add it."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.registry import family

# a value for a parameter of each name that is not the one under test
_FILL: dict[str, str] = {
    "national_code": family.CODES["ali"],
    "code": family.CODES["ali"],
    "digest": "0" * 64,
    "purpose": "test",
    "year": "1402",
    "number": "X-1",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    body: dict[str, Any] | None  # the first example of its JSON body, when it takes one

    def url(self, values: dict[str, str]) -> str:
        """The path with its path parameters filled and its query parameters appended."""
        path = self.path
        query = []
        for p in self.parameters:
            value = values.get(p["name"]) or fill(p)
            if p["in"] == "path":
                path = path.replace("{" + p["name"] + "}", value)
            elif p["in"] == "query" and (p.get("required") or p["name"] in values):
                query.append(f"{p['name']}={value}")
        return path + ("?" + "&".join(query) if query else "")

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def fill(parameter: dict[str, Any]) -> str:
    if parameter["name"] in _FILL:
        return _FILL[parameter["name"]]
    return "1" if is_integer(parameter.get("schema", {})) else "x"


def is_integer(schema: dict[str, Any]) -> bool:
    """An integer schema, or an optional one (`anyOf` integer and null)."""
    return schema.get("type") == "integer" or any(
        s.get("type") == "integer" for s in schema.get("anyOf", ())
    )


def maximum(schema: dict[str, Any]) -> int | None:
    if "maximum" in schema:
        return int(schema["maximum"])
    found = [s["maximum"] for s in schema.get("anyOf", ()) if "maximum" in s]
    return int(found[0]) if found else None


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            yield Operation(method, path, tuple(op.get("parameters", ())), _example(spec, op))


def _example(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    if media is None:
        return None
    if "example" in media:
        return dict(media["example"])
    schema = resolve(spec, media.get("schema", {}))
    examples = schema.get("examples") or [{}]
    return dict(examples[0])


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return dict(node)


def integer_body_fields(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(schema, field, its schema) for every integer field of every request body."""
    names = set()
    for op in (o for item in spec["paths"].values() for o in item.values()):
        if not isinstance(op, dict):
            continue
        for media in op.get("requestBody", {}).get("content", {}).values():
            ref = media.get("schema", {}).get("$ref", "")
            if ref:
                names.add(ref.rsplit("/", 1)[1])
    for name in sorted(names):
        for field, schema in spec["components"]["schemas"][name].get("properties", {}).items():
            if is_integer(schema):
                yield name, field, schema


def date_fields(spec: dict[str, Any], op: Operation) -> list[tuple[str, str]]:
    """(field, form) of the operation's JSON body: form `instant`, `day` or `jalali` (a day a
    person types, Jalali or ISO)."""
    content = _operation(spec, op).get("requestBody", {}).get("content", {})
    schema = resolve(spec, content.get("application/json", {}).get("schema", {}))
    found = []
    for field, prop in schema.get("properties", {}).items():
        forms = {prop.get("format")} | {s.get("format") for s in prop.get("anyOf", ())}
        if "date-time" in forms:
            found.append((field, "instant"))
        elif "date" in forms:
            found.append((field, "day"))
        elif "Jalali" in prop.get("description", ""):
            found.append((field, "jalali"))
    return found


def _operation(spec: dict[str, Any], op: Operation) -> dict[str, Any]:
    return dict(spec["paths"][op.path][op.method])
