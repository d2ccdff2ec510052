"""Which article a file is: the README's identity rule ("Identity: how a re-run finds an article
again") in one place.

`source_key` is what mapping gives a file; `decide` is the rest of the rule, and it is pure: a
mapped file and what is already known about it in, a `Decision` out. The callers load what is
known (the articles the database holds under the file's keys and with its bytes, the keys other
files of this run hold) and record the decision; nothing here reads the database or changes the
file's `ArticleData`.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..models import Article, DeletedArticle
    from .mapping import ArticleData

# Folders generators keep content under: a source key counts from the last of them, so it does
# not depend on which folder the operator named.
CONTENT_ANCHORS = ("_posts", "_drafts", "content", "source")
_EXPLICIT = "id:"


def source_key(path: Path, identity, language: str, anchored=True) -> str:
    """How a re-import finds this file's article again: its explicit id, else its path from the
    last content folder in it (or, not `anchored`, its whole path), with its language."""
    if identity not in (None, ""):
        return f"{_EXPLICIT}{identity}"
    parts = path.parts
    anchors = [i for i, part in enumerate(parts[:-1]) if part in CONTENT_ANCHORS] if anchored else []
    where = "/".join(parts[anchors[-1] :]) if anchors else path.as_posix()
    key = f"path:{language}:{where}" if language else f"path:{where}"
    return key if len(key) <= 500 else "path-sha1:" + hashlib.sha1(key.encode()).hexdigest()


def explicit_identity(key: str | None) -> str | None:
    """The `id` a file gave, from the source key it made; None for a key made from a path."""
    return key[len(_EXPLICIT) :] if key and key.startswith(_EXPLICIT) else None


def absolute_key(item: "ArticleData") -> str:
    """The identity a file falls back to when its source key belongs to another file."""
    return source_key(Path(item.source_path), None, item.declared_language, anchored=False)


def lookup_keys(item: "ArticleData") -> tuple[str, str]:
    """The source keys under which the database may hold this file's article (for `by_key`)."""
    return item.source_key, absolute_key(item)


@dataclass(frozen=True)
class Decision:
    """Which article one file is."""

    key: str  # the source key the file is known by (and its article gets)
    article: "Article | None" = None  # the existing article it updates; None: a new one
    refusal: str = ""  # why the file is not imported, naming the other file; "" when it is
    deletion: "DeletedArticle | None" = None  # its article was deleted: not brought back unasked


class Claimed(Protocol):
    def get(self, key: str, /) -> str | None: ...


class Claims:
    """The file of this run that holds each source key: the first to claim it. Kept by the hash of
    the key, so a 100,000-file run costs little memory."""

    def __init__(self):
        self._holders: dict[int, str] = {}

    def get(self, key: str) -> str | None:
        return self._holders.get(hash(key))

    def claim(self, key: str, path: str):
        self._holders.setdefault(hash(key), path)

    def record(self, decision: Decision, path: str):
        """What a file's decision claims: its key, unless it was refused."""
        if not decision.refusal:
            self.claim(decision.key, path)


def _exists(path: str) -> bool:
    return Path(path).exists()


def decide(
    item: "ArticleData",
    claimed: Claimed,
    by_key: Mapping[str, "Article"] | None = None,
    by_hash: Mapping[str, Sequence["Article"]] | None = None,
    exists: Callable[[str], bool] = _exists,
    deleted: Sequence["DeletedArticle"] = (),
) -> Decision:
    """The identity rule for one mapped file.

    `claimed`: the file holding each source key in this run (`Claims`, or any mapping of key to
    path). `by_key`: the articles the database holds under the file's `lookup_keys`, by source
    key; `by_hash`: the articles imported from files with the file's bytes, by content hash. With
    `by_key` None (a dry run) only the run's own claims are consulted. `exists` says whether an
    article's old file is still there (the one outside fact the rule reads). `deleted`: recorded
    deletions under the file's keys or with its bytes; a file that would make a new article is
    the deleted one by the same rule as an article (its key, or its bytes and name once moved),
    and the decision says so.
    """
    key = item.source_key
    holder = claimed.get(key)
    if holder is not None and holder != item.source_path:
        # Two files of one run say they are one article: an explicit id is refused, a path key
        # falls back to the absolute path.
        if key.startswith(_EXPLICIT):
            return Decision(key, refusal=f"same identity ({key}) as {holder}, imported in this run: not imported")
        key = absolute_key(item)
    if by_key is None:
        return Decision(key)

    def gone(path):
        return not path or not exists(path)

    own = by_key.get(absolute_key(item))
    if own is not None:
        return Decision(own.source_key, own)
    shared = by_key.get(key)
    if shared is not None:
        if shared.source_path == item.source_path or gone(shared.source_path):
            return Decision(key, shared)
        if key.startswith(_EXPLICIT):
            reason = f"same identity ({key}) as {shared.source_path}, which still exists: not imported"
            return Decision(key, refusal=reason)
        key = absolute_key(item)  # another site's `_posts/welcome.md`
    else:
        # An archive that moved: the same bytes under the same file name, whose old file is gone.
        name = Path(item.source_path).name
        for article in (by_hash or {}).get(item.content_hash, ()):
            if Path(article.source_path).name == name and gone(article.source_path):
                return Decision(key, article)
    return Decision(key, deletion=_deleted_as(item, key, deleted, gone))


def _deleted_as(item: "ArticleData", key: str, deleted: Sequence["DeletedArticle"], gone):
    """The deleted article a file that would make a new one is, by the rule for articles: this
    very file, unless the deletion was of an explicit id the file no longer gives (`P.md` now
    holds another article, `id: Y`, not the deleted `id: X`); its key (an explicit id wherever it
    is, a path key whose old file is gone); or, moved, its bytes and file name where the old file
    is gone."""
    same, name = (key, absolute_key(item)), Path(item.source_path).name
    for deletion in deleted:
        explicit = explicit_identity(deletion.source_key)
        if deletion.source_path == item.source_path and (explicit is None or deletion.source_key == key):
            return deletion
    for deletion in deleted:
        if deletion.source_key in same and (key.startswith(_EXPLICIT) or gone(deletion.source_path)):
            return deletion
    for deletion in deleted:
        moved = deletion.source_hash == item.content_hash and Path(deletion.source_path).name == name
        if moved and gone(deletion.source_path):
            return deletion
    return None
