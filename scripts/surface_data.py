"""Turn roomkit's documented surface page into the data the surface test compares with.

Usage: ``python3 scripts/surface_data.py PAGE.md [OUT.json]`` (OUT defaults to
``tests/roomkit/surface/documented.json`` beside this script's repository).

The page lists, per module, every documented name with its kind, signature, model fields
and enum members. This script only parses text: defaults stay as the page writes them, and
the test decides how to compare them. Each name and each class member carries an ``area``:
``core`` for issue 13's scope, otherwise the later issue the name belongs to.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUT_DEFAULT = Path(__file__).resolve().parent.parent / "tests/roomkit/surface/documented.json"

# Module prefixes of the later issues (issue 13, "Done means"); the first match wins.
_MODULE_AREAS = [
    ("roomkit.voice", "voice"),
    ("roomkit.channels.voice", "voice"),
    ("roomkit.channels.realtime_voice", "voice"),
    ("roomkit.channels.agent", "agent"),
    ("roomkit.memory", "memory"),
    ("roomkit.orchestration", "orchestration"),
    ("roomkit.tasks", "tasks"),
    ("roomkit.telemetry", "telemetry"),
    ("roomkit.skills", "skills"),
    ("roomkit.tools", "tools"),
    ("roomkit.sources", "sources"),
    *(
        (f"roomkit.providers.{name}", "ai-vendor")
        for name in ("anthropic", "openai", "gemini", "azure", "mistral", "vllm")
    ),
    *(
        (f"roomkit.providers.{name}", "vendor")
        for name in (
            "twilio", "telnyx", "sinch", "voicemeup", "elasticemail", "messenger.facebook",
            "telegram.bot", "teams.bot_framework", "whatsapp.personal", "http.provider",
            "sms.meta",
        )
    ),
]  # fmt: skip

# Members of in-scope classes whose types come from a later issue's module.
_MEMBER_AREAS = {
    "voice": {
        "stt", "tts", "voice", "connect_voice", "disconnect_voice", "send_greeting",
        "connect_realtime_voice", "disconnect_realtime_voice", "transcribe", "synthesize",
    },
    "tasks": {"task_runner", "delegate"},
    "telemetry": {"telemetry"},
    "sources": {"attach_source", "detach_source", "source_health", "list_sources"},
    "vendor": {"process_webhook"},
}  # fmt: skip

# Where a seed documentation page, which wins over the surface page, says otherwise. The
# store page lists the methods a backend must implement; these two are not among them, so
# a store written against it keeps working.
_SEED_WINS = {
    ("roomkit.store.base.ConversationStore", "link_address"): {"abstract": False},
    ("roomkit.store.base.ConversationStore", "update_event"): {"abstract": False},
}

_MODULE = re.compile(r"^### `(?P<module>[\w.]+)`$")
_CLASS = re.compile(
    r"^- \*\*class `(?P<name>\w+)`\*\*`\((?P<bases>[^)]*)\)`"
    r"(?P<deco> @[\w(=)]+)? — `(?P<module>[\w.]+)`$"
)
_FUNCTION = re.compile(
    r"^- function `(?P<name>\w+)(?P<sig>\(.*\)(?: -> .*)?)` — `(?P<module>[\w.]+)`$"
)
_VALUE = re.compile(r"^- `(?P<name>\w+)` = `(?P<value>.*)` — `(?P<module>[\w.]+)`$")
_FIELD = re.compile(r"^    - field `(?P<name>\w+): (?P<rest>.*)`$")
_MEMBER = re.compile(r"^    - member `(?P<name>\w+) = (?P<value>.*)`$")
_PROPERTY = re.compile(r"^    - `property (?P<name>\w+)(?P<writable> \(writable\))?`$")
_METHOD = re.compile(
    r"^    - `(?P<mods>(?:(?:abstract|async|classmethod|staticmethod) )*)(?P<name>\w+)"
    r"(?P<sig>\(.*\))(?: -> (?P<returns>.*))?`$"
)


def area_of(module: str) -> str:
    """The issue area a documented module belongs to (``core`` for issue 13)."""
    for prefix, area in _MODULE_AREAS:
        if module == prefix or module.startswith(prefix + "."):
            return area
    return "core"


def member_area(owner_area: str, member: str) -> str:
    """A member's area: its owner's, unless its types belong to a later issue."""
    for area, names in _MEMBER_AREAS.items():
        if member in names and owner_area == "core":
            return area
    return owner_area


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    return [*parts, tail] if tail else parts


def parse_params(signature: str) -> list[dict[str, Any]]:
    """Parameters of ``(a: int=1, *, b: str='x', **kw: Any)`` with kinds and default texts."""
    inner = signature[signature.index("(") + 1 : _closing(signature)]
    params: list[dict[str, Any]] = []
    kind = "POSITIONAL_OR_KEYWORD"
    for raw in split_top(inner):
        if raw == "*":
            kind = "KEYWORD_ONLY"
            continue
        if raw.startswith("**"):
            params.append({"name": _name(raw[2:]), "kind": "VAR_KEYWORD"})
            continue
        if raw.startswith("*"):
            params.append({"name": _name(raw[1:]), "kind": "VAR_POSITIONAL"})
            kind = "KEYWORD_ONLY"
            continue
        head, _, default = _split_default(raw)
        param: dict[str, Any] = {"name": _name(head), "kind": kind}
        if default is not None:
            param["default"] = default
        params.append(param)
    return params


def _closing(signature: str) -> int:
    depth = 0
    for i, ch in enumerate(signature):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch == ")":
            return i
    raise ValueError(f"unbalanced signature: {signature}")


def _name(text: str) -> str:
    return text.split(":", 1)[0].strip()


def _split_default(raw: str) -> tuple[str, str, str | None]:
    parts = split_top(raw, "=")
    if len(parts) == 1:
        return raw, "", None
    return parts[0], "=", "=".join(parts[1:]).strip()


def parse_field(name: str, rest: str) -> dict[str, Any]:
    """A model field: annotation text and, when documented, its default text."""
    annotation, _, default = _split_default(rest.replace(" = ", "=", 1))
    field: dict[str, Any] = {"name": name, "annotation": annotation.strip()}
    if default is not None:
        field["default"] = default
    return field


def parse_page(text: str) -> dict[str, Any]:
    """Every documented name of the page, keyed ``module.Name``."""
    names: dict[str, Any] = {}
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        entry = _top_level(line)
        if entry is not None:
            names[f"{entry['module']}.{entry['name']}"] = current = entry
        elif current is not None and line.startswith("    - "):
            _add_member(current, line)
    return {"source": "roomkit-surface.md", "names": names}


def _top_level(line: str) -> dict[str, Any] | None:
    if m := _CLASS.match(line):
        deco = (m["deco"] or "").strip()
        return {
            **_base(m["name"], m["module"], "class"),
            "bases": [b.strip() for b in m["bases"].split(",") if b.strip()],
            "decorator": deco or None,
            "fields": [], "members": [], "methods": [], "properties": [],
        }  # fmt: skip
    if m := _FUNCTION.match(line):
        return {**_base(m["name"], m["module"], "function"), "params": parse_params(m["sig"])}
    if m := _VALUE.match(line):
        return {**_base(m["name"], m["module"], "value"), "value": m["value"]}
    return None


def _base(name: str, module: str, kind: str) -> dict[str, Any]:
    return {"name": name, "module": module, "kind": kind, "area": area_of(module)}


def _add_member(owner: dict[str, Any], line: str) -> None:
    if m := _FIELD.match(line):
        owner["fields"].append(parse_field(m["name"], m["rest"]))
    elif m := _MEMBER.match(line):
        owner["members"].append({"name": m["name"], "value": m["value"]})
    elif m := _PROPERTY.match(line):
        prop = {"name": m["name"], "writable": bool(m["writable"])}
        prop["area"] = member_area(owner["area"], m["name"])
        owner["properties"] = [p for p in owner["properties"] if p["name"] != m["name"]]
        owner["properties"].append(prop)
    elif m := _METHOD.match(line):
        mods = m["mods"].split()
        params = parse_params(m["sig"])
        if params and params[0]["name"] in ("self", "cls"):
            params = params[1:]
        owner["methods"].append({
            "name": m["name"], "params": params,
            "abstract": "abstract" in mods, "async": "async" in mods,
            "binding": next((x for x in mods if x.endswith("method")), "instance"),
            "area": member_area(owner["area"], m["name"]),
            **_SEED_WINS.get((f"{owner['module']}.{owner['name']}", m["name"]), {}),
        })  # fmt: skip
    else:
        raise ValueError(f"unrecognised member line: {line!r}")


def dump(data: dict[str, Any]) -> str:
    """JSON with one documented name per line: small, and a change shows as that name's line."""
    lines = [
        f"  {json.dumps(key)}: {json.dumps(entry, sort_keys=True, ensure_ascii=False)}"
        for key, entry in sorted(data["names"].items())
    ]
    names = ",\n".join(lines)
    return f'{{"source": {json.dumps(data["source"])}, "names": {{\n{names}\n}}}}\n'


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    data = parse_page(Path(argv[1]).read_text(encoding="utf-8"))
    out = Path(argv[2]) if len(argv) == 3 else OUT_DEFAULT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump(data), encoding="utf-8")
    print(f"{len(data['names'])} names -> {out.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
