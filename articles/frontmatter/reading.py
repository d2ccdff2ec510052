"""Reading a front-matter file into (metadata, body). No database work here."""

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from .budget import read_bytes
from .errors import ImportFailure, ImportSkip


class TomlHandler(BaseHandler):
    """`+++` front matter on the standard library's parser. python-frontmatter's own TOML handler
    needs the third-party `toml` package and, without it, silently returns no metadata at all."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm):
        return tomllib.loads(fm)


# Front matter is people's text: what YAML 1.1 would turn into something else stays as written.
# Dates stay text so `parse_datetime` reads them (an impossible `2021-02-30` costs the article its
# date, not the whole file); floats stay text so a tag `3.10` does not become 3.1; booleans are
# only true and false (the Norway problem: `NO`, `on`, `yes`, `off` are words), and integers only
# plain decimals (`1:30` is not 90, nor `0755` 493, nor `01234` a number without its zero).
_KEPT_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float"}
_NARROWED = {
    "tag:yaml.org,2002:bool": (re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    "tag:yaml.org,2002:int": (re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), "-+0123456789"),
}
# Aliases repeat what an anchor holds: a few hundred bytes of nested ones stand for billions of
# values, which whatever walks them (the extra field's JSON, a report) would spell out.
MAX_YAML_VALUES = 10_000


def _resolvers() -> dict:
    resolvers = {
        first: [(tag, regexp) for tag, regexp in entries if tag not in _KEPT_AS_TEXT and tag not in _NARROWED]
        for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for tag, (regexp, firsts) in _NARROWED.items():
        for first in firsts:
            resolvers.setdefault(first, []).insert(0, (tag, regexp))
    return resolvers


class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader, with people's text kept as written (see above)."""

    yaml_implicit_resolvers = _resolvers()


class YamlHandler(YAMLHandler):
    def load(self, fm):
        if "*" in fm:  # no alias without one
            _refuse_expansion(fm)
        return yaml.load(fm, Loader=YamlLoader)


def _refuse_expansion(fm: str) -> None:
    """Count the values the front matter stands for, aliases spelled out, from the parser's
    events (no values are built); past MAX_YAML_VALUES it is refused."""
    sizes, open_nodes = {}, [[None, 0]]  # anchor -> values it holds; the collections being read
    for event in yaml.parse(fm, Loader=YamlLoader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            open_nodes.append([event.anchor, 1])
            continue
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            anchor, count = open_nodes.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, count = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, count = None, sizes.get(event.anchor, 1)
        else:
            continue
        if anchor:
            sizes[anchor] = count
        open_nodes[-1][1] += count
        if open_nodes[-1][1] > MAX_YAML_VALUES:
            raise ImportFailure(
                f"front matter stands for more than {MAX_YAML_VALUES:,} values once its YAML aliases are "
                "spelled out (a YAML bomb?): refused"
            )


HANDLERS = [YamlHandler(), TomlHandler()]
# A JSON object, not a template that happens to start with `{{` or `{%`.
_JSON_START = re.compile(r'\{\s*(?:"|\})')


@dataclass
class SourceFile:
    path: Path
    metadata: dict
    body: str
    content_hash: str
    warnings: list[str] = field(default_factory=list)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_source(path: Path, max_bytes: int) -> SourceFile:
    """Parse `path`; raise ImportFailure (or ImportSkip) with the reason when it cannot be read,
    or is larger than `max_bytes` (the run's `ImportOptions.max_file_bytes`)."""
    raw = read_bytes(path, max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"not UTF-8 text (byte {exc.start})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    warnings = []
    metadata, body = parse_front_matter(
        stripped.rstrip(), blank_lines_before=text[: len(text) - len(stripped)].count("\n"), warnings=warnings
    )
    return SourceFile(path=path, metadata=metadata, body=body, content_hash=content_hash(raw), warnings=warnings)


def parse_front_matter(text: str, blank_lines_before: int = 0, warnings=None) -> tuple[dict, str]:
    if _JSON_START.match(text):
        return _parse_json_front_matter(text)
    handler = next((h for h in HANDLERS if h.detect(text)), None)
    if handler is None:
        raise ImportSkip("no front matter (not an article: expected a --- YAML, +++ TOML or { JSON } block first)")
    try:
        fm, body = handler.split(text)
    except ValueError as exc:
        raise ImportFailure(f"front matter is not closed by {handler.END_DELIMITER or '}'}") from exc
    try:
        metadata = handler.load(fm)
    except yaml.YAMLError as exc:
        reason = f"front matter is not valid YAML: {_yaml_reason(exc, blank_lines_before)}"
        metadata = recover_flat_yaml(fm)
        if metadata is None:
            raise ImportFailure(reason) from exc
        if warnings is not None:
            warnings.append(f"{reason}; read it line by line instead")
    except tomllib.TOMLDecodeError as exc:
        raise ImportFailure(f"front matter is not valid TOML: {exc}") from exc
    except (ValueError, TypeError) as exc:  # values YAML parses but Python cannot hold
        raise ImportFailure(f"front matter cannot be read: {exc}") from exc
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ImportFailure("front matter is not a set of key: value pairs")
    return metadata, _body(body)


def _parse_json_front_matter(text: str) -> tuple[dict, str]:
    """A JSON object first in the file, on one line or many (Hugo's JSON front matter)."""
    try:
        metadata, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(f"front matter is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    if not isinstance(metadata, dict):
        raise ImportFailure("front matter is not a set of key: value pairs")
    return metadata, _body(text[end:])


def _body(text: str) -> str:
    """The body without the blank lines around it. Its first line keeps its indentation: four
    spaces open a Markdown code block, and an export writes bodies that begin with one."""
    text = text.rstrip()
    blank = len(text) - len(text.lstrip())
    return text[text.rfind("\n", 0, blank) + 1 :]


def _yaml_reason(exc: yaml.YAMLError, blank_lines_before: int) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    # The block starts with the newline that ends the opening `---`, so its line 0 is the file's line 1.
    return f"{problem} (line {mark.line + 1 + blank_lines_before})" if mark else problem


# Values are taken whole and stripped by `_scalar`: a lazy `(.*?)\s*$` tried the rest of the line
# at every character, quadratic in a line's run of spaces (issue 12).
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*+)\s*+:(.*)")
_ITEM_LINE = re.compile(r"^[ \t]++-(.*)|^-[ \t](.*)")


def recover_flat_yaml(fm: str) -> dict | None:
    """Read front matter that YAML rejects but whose intent is plain: flat `key: value` lines and
    `- item` lists (indented by tabs or spaces), values wrapped in runs of quotes. None when a line
    fits neither form, so real damage is still reported."""
    data, current = {}, None
    for line in fm.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if (item := _ITEM_LINE.match(line)) and current is not None:
            value = _scalar(item.group(1) if item.group(1) is not None else item.group(2))
            if not isinstance(data[current], list):
                data[current] = [] if data[current] in ("", None) else [data[current]]
            data[current].append(value)
        elif key := _KEY_LINE.match(line):
            current = key.group(1)
            data[current] = _scalar(key.group(2))
        else:
            return None
        if _UNREADABLE in (data[current] if isinstance(data[current], list) else [data[current]]):
            return None
    return data or None


_UNREADABLE = object()


def _unwrapped(text: str) -> str:
    """`text` without the pairs of quotes around it (`""'x'""` is `x`), cut once: peeling one
    pair at a time copied the rest each time, quadratic in a run of quotes (issue 12)."""
    start, end = 0, len(text)
    while end - start >= 2 and text[start] in ("'", '"') and text[end - 1] == text[start]:
        start, end = start + 1, end - 1
    return text[start:end]


def _scalar(text: str):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(part) for part in text[1:-1].split(",") if part.strip()]
    if text[:1] in ("[", "{", "|", ">", "&", "*", "!"):
        return _UNREADABLE  # structure the line-by-line reading cannot vouch for
    if text[:1] in ("'", '"'):
        return _unwrapped(text)
    try:
        value = yaml.load(text, Loader=YamlLoader)
    except yaml.YAMLError:
        return text
    return text if isinstance(value, dict | list) else value
