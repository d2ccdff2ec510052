"""Reading a front-matter file into (metadata, body). No database work here."""

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from .errors import ImportFailure


class TomlHandler(BaseHandler):
    """`+++` front matter on the standard library's parser. python-frontmatter's own TOML handler
    needs the third-party `toml` package and, without it, silently returns no metadata at all."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm):
        return tomllib.loads(fm)


HANDLERS = [YAMLHandler(), TomlHandler(), JSONHandler()]


@dataclass
class SourceFile:
    path: Path
    metadata: dict
    body: str
    content_hash: str


def read_source(path: Path) -> SourceFile:
    """Parse `path`; raise ImportFailure with the reason when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailure(f"cannot read file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"not UTF-8 text (byte {exc.start})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    metadata, body = parse_front_matter(
        stripped.rstrip(), blank_lines_before=text[: len(text) - len(stripped)].count("\n")
    )
    return SourceFile(path=path, metadata=metadata, body=body, content_hash=hashlib.sha256(raw).hexdigest())


def parse_front_matter(text: str, blank_lines_before: int = 0) -> tuple[dict, str]:
    handler = next((h for h in HANDLERS if h.detect(text)), None)
    if handler is None:
        raise ImportFailure("no front matter (expected a --- YAML, +++ TOML or { JSON } block first)")
    try:
        fm, body = handler.split(text)
    except ValueError as exc:
        raise ImportFailure(f"front matter is not closed by {handler.END_DELIMITER or '}'}") from exc
    try:
        metadata = handler.load(fm)
    except yaml.YAMLError as exc:
        raise ImportFailure(f"front matter is not valid YAML: {_yaml_reason(exc, blank_lines_before)}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ImportFailure(f"front matter is not valid TOML: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ImportFailure(f"front matter is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ImportFailure("front matter is not a set of key: value pairs")
    return metadata, body.strip()


def _yaml_reason(exc: yaml.YAMLError, blank_lines_before: int) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    # The block starts with the newline that ends the opening `---`, so its line 0 is the file's line 1.
    return f"{problem} (line {mark.line + 1 + blank_lines_before})" if mark else problem
