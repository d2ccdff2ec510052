"""Article history (and the front page's): what django-reversion keeps, how two revisions differ, and restoring one.

Each admin save stores one revision: the article and, through `follow`, its byline rows and
tag rows. Tag rows store the tag's *name* (taggit's natural key), so a revision still knows its
tags after one was merged away or deleted. Restoring never uses reversion's raw `revert()`: it
sets the fields and calls `Article.save`, which rebuilds the rendered body, the search index
and the old-address redirects.
"""

import datetime
import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field

import reversion
from django.db import transaction
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from reversion.models import Version

from . import permissions
from .bylines import role_label
from .models import Article, Author, Byline, Category, FrontPage, FrontPageSlot, Tag, TaggedArticle
from .text import CJK_RANGES


def register_models():
    """Called at import (the admin, built before AppConfig.ready, needs it) and from ready()."""
    if reversion.is_registered(Article):
        return
    for model in (Author, Category, Tag, Byline):
        if not reversion.is_registered(model):
            reversion.register(model)
    reversion.register(TaggedArticle, use_natural_foreign_keys=True)
    # The rendered body is derived from the body on save: storing it would double each revision.
    reversion.register(Article, follow=["bylines", "tagged_items"], exclude=["body"])
    # An arrangement's revision holds its slots: restoring one brings back the whole page.
    reversion.register(FrontPageSlot)
    reversion.register(FrontPage, follow=["slots"])


register_models()

# What an editor sees change between revisions: the fields the article form edits.
COMPARED_FIELDS = [f for f in Article._meta.concrete_fields if f.editable and not f.primary_key]
# Whether and when the article is live belongs to the workflow and its permission checks, not to
# a revision: restoring brings back what was written and leaves these as they are now (else an
# old draft's revision would take a live story offline, or a writer could publish by restoring).
WORKFLOW_FIELDS = {"status", "published_at", "featured"}


def versions_of(article):
    """The article's revisions, newest first, with who saved them."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def describe_user(user) -> str:
    if user is None:
        return _("An import or a script")
    return user.get_full_name() or user.get_username()


@dataclass
class Snapshot:
    """An article as one revision stored it."""

    version: Version
    fields: dict
    author_ids: list[int] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)  # author id -> role, where it has one


def snapshot(version: Version) -> Snapshot:
    article_id = int(version.object_id)
    bylines, tag_names = [], []
    for related in version.revision.version_set.exclude(pk=version.pk).select_related("content_type"):
        model = related.content_type.model_class()
        if model not in (Byline, TaggedArticle):
            continue
        data = json.loads(related.serialized_data)[0]["fields"]
        if model is Byline and data["article"] == article_id:
            bylines.append((data["position"], int(related.object_id), data["author"], data.get("role", "")))
        elif model is TaggedArticle and data["content_object"] == article_id:
            tag_names.append(data["tag"][0])  # natural key: [name]
    return Snapshot(
        version=version,
        fields=version.field_dict,
        author_ids=[author for _, _, author, _ in sorted(bylines)],
        tag_names=sorted(tag_names, key=str.lower),
        roles={author: role for _, _, author, role in bylines if role},  # revisions before roles have none
    )


def current_snapshot(article: Article) -> Snapshot:
    """The article as it is now, in the shape of a Snapshot, for comparing with a revision."""
    entries = list(article.bylines.order_by("position", "pk").values_list("author_id", "role"))
    return Snapshot(
        version=None,
        fields={f.attname: _as_stored(getattr(article, f.attname)) for f in COMPARED_FIELDS},
        author_ids=[author for author, _ in entries],
        tag_names=sorted(article.tags.names(), key=str.lower),
        roles={author: role for author, role in entries if role},
    )


def _as_stored(value):
    """`value` as a revision keeps it: its JSON keeps times to the millisecond."""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


@dataclass
class Change:
    label: str
    old: SafeString
    new: SafeString
    note: str = ""  # why the diff is coarser than word by word, when it is


def compare(old: Snapshot, new: Snapshot) -> list[Change]:
    """Every field that differs, with its label and the old and new value marked up for display."""
    changes = []
    categories = Category.objects.in_bulk(
        [v for v in (old.fields.get("category_id"), new.fields.get("category_id")) if v]
    )
    for model_field in COMPARED_FIELDS:
        before, after = old.fields.get(model_field.attname), new.fields.get(model_field.attname)
        if before == after:
            continue
        note = ""
        if isinstance(before or "", str) and isinstance(after or "", str) and not model_field.choices:
            old_html, new_html, note = text_changes(before or "", after or "")
        else:
            old_html = escape(display(model_field, before, categories))
            new_html = escape(display(model_field, after, categories))
        changes.append(Change(str(model_field.verbose_name).capitalize(), old_html, new_html, note))
    if old.author_ids != new.author_ids or old.roles != new.roles:
        names = dict(Author.objects.filter(pk__in=old.author_ids + new.author_ids).values_list("pk", "name"))

        def entries(snap):
            """Each name, with its role when it has one: a role change shows as that entry changed."""
            return [_with_role(name(pk), snap.roles.get(pk)) for pk in snap.author_ids]

        def name(pk):
            return names.get(pk) or _("deleted author #%(id)s") % {"id": pk}

        changes.append(Change(_("Byline"), *diff_list(entries(old), entries(new))))
    if old.tag_names != new.tag_names:
        changes.append(Change(_("Tags"), *diff_list(old.tag_names, new.tag_names)))
    return changes


def _with_role(name: str, role: str | None) -> str:
    return f"{name} ({role_label(role)})" if role else name


def display(model_field, value, categories) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.attname == "category_id":
        category = categories.get(value)
        return str(category) if category else _("deleted section #%(id)s") % {"id": value}
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "tzinfo"):
        return formats.localize(timezone.localtime(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# Words, single CJK characters (Chinese, Japanese and Korean run without spaces: a whole
# sentence would be one "word"), runs of white space, and single punctuation marks.
TOKEN = re.compile(f"[{CJK_RANGES}]|[^\\W{CJK_RANGES}]+|\\s+|[^\\w\\s]")
CONTEXT_LINES = 2
# SequenceMatcher's work grows with the product of the lengths it compares (a 38 KB body word
# against word took 35 s, past gunicorn's timeout). Each comparison may weigh this many pairs of
# tokens in all, about a tenth of a second at worst; beyond it, changed passages show whole.
DIFF_BUDGET = 1_000_000
SENTENCE_ENDS = frozenset(".!?")
CJK_SENTENCE_ENDS = frozenset("。！？")
BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                        "table", "tr", "figure", "section"})  # fmt: skip


def diff_text(before: str, after: str) -> tuple[SafeString, SafeString]:
    """A word diff: the old text with deletions in <del>, the new one with insertions in <ins>.
    Every piece is escaped, so a body's HTML shows as text. Long unchanged runs are elided."""
    old, new, _note = text_changes(before, after)
    return old, new


def text_changes(before: str, after: str) -> tuple[SafeString, SafeString, str]:
    """`diff_text`, and a note for the editor when the budget left some passages shown whole."""
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    budget = _Budget(DIFF_BUDGET)
    old, new = _render(a, b, _text_opcodes(a, b, budget), "", elide=True)
    note = _("Too long to compare word by word: some changed passages are shown whole.") if budget.exceeded else ""
    return old, new, note


def diff_list(before: list[str], after: list[str]) -> tuple[SafeString, SafeString]:
    return _render(before, after, _matched(before, after, _Budget(DIFF_BUDGET)), ", ")


class _Budget:
    def __init__(self, cells):
        self.cells, self.exceeded = cells, False

    def spend(self, a, b, autojunk=False) -> bool:
        """Whether comparing `a` with `b` fits what is left: SequenceMatcher visits each pair of
        equal elements (so many for a few common words, few for distinct paragraphs), except
        those autojunk sets aside (in over 1% of a `b` of 200 or more)."""
        counts = Counter(b)
        if autojunk and len(b) >= 200:
            counts = Counter({x: c for x, c in counts.items() if c <= 1 + len(b) // 100})
        cost = len(a) + len(b) + sum(counts[x] for x in a)
        if cost > self.cells:
            self.exceeded = True
            return False
        self.cells -= cost
        return True


def _matched(a, b, budget, offset_a=0, offset_b=0, autojunk=False) -> list[tuple]:
    """SequenceMatcher's opcodes for `a` and `b` (shifted by the offsets) while the budget lasts;
    a single replacement of the whole once it does not."""
    if not a and not b:
        return []
    if not a or not b or not budget.spend(a, b, autojunk):
        op = "insert" if not a else "delete" if not b else "replace"
        return [(op, offset_a, offset_a + len(a), offset_b, offset_b + len(b))]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=autojunk)
    return [
        (op, i1 + offset_a, i2 + offset_a, j1 + offset_b, j2 + offset_b) for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _text_opcodes(a: list[str], b: list[str], budget: _Budget) -> list[tuple]:
    """Opcodes over the tokens: the common start and end set aside, the rest compared block by
    block (lines, paragraphs, sentences), then word by word inside the blocks that changed."""
    shortest = min(len(a), len(b))
    head = 0
    while head < shortest and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shortest - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    ops = [("equal", 0, head, 0, head)] if head else []
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    blocks_a, blocks_b = _blocks(middle_a), _blocks(middle_b)
    keys_a = ["".join(middle_a[i:j]) for i, j in blocks_a]
    keys_b = ["".join(middle_b[i:j]) for i, j in blocks_b]
    # Blocks are few and mostly distinct; autojunk sets aside the ones repeated everywhere.
    for op, x1, x2, y1, y2 in _matched(keys_a, keys_b, budget, autojunk=True):
        i1, i2 = _span(blocks_a, x1, x2, len(middle_a))
        j1, j2 = _span(blocks_b, y1, y2, len(middle_b))
        if op == "equal":
            ops.append(("equal", head + i1, head + i2, head + j1, head + j2))
        else:
            ops.extend(_matched(middle_a[i1:i2], middle_b[j1:j2], budget, head + i1, head + j1))
    if tail:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    merged = []  # unchanged runs from either level that meet are one run (elided once)
    for op in ops:
        if merged and op[0] == merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _blocks(tokens: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each block: a block ends with a line, a sentence (its full stop and a
    space, or a CJK full stop) or a block element's closing tag, and takes the white space that
    follows it."""
    blocks, start, ended = [], 0, False
    for n, token in enumerate(tokens):
        if ended and not token.isspace():
            blocks.append((start, n))
            start, ended = n, False
        if token.isspace():
            ended = ended or "\n" in token or (n > 0 and tokens[n - 1] in SENTENCE_ENDS)
        elif token in CJK_SENTENCE_ENDS:  # no space follows them
            ended = True
        elif token == ">" and n >= 3 and tokens[n - 3 : n - 1] == ["<", "/"] and tokens[n - 1].lower() in BLOCK_TAGS:
            ended = True
    if start < len(tokens):
        blocks.append((start, len(tokens)))
    return blocks


def _span(blocks, first, last, length) -> tuple[int, int]:
    """The tokens of blocks[first:last]; an empty range sits where blocks[first] starts."""
    if first == last:
        position = blocks[first][0] if first < len(blocks) else length
        return position, position
    return blocks[first][0], blocks[last - 1][1]


def _render(before: list[str], after: list[str], opcodes, separator: str, elide=False) -> tuple[SafeString, SafeString]:
    old, new = [], []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            text = escape(separator.join(before[i1:i2]))
            text = _elided(text) if elide else text
            old.append(text)
            new.append(text)
            continue
        if i2 > i1:
            old.append(format_html("<del>{}</del>", separator.join(before[i1:i2])))
        if j2 > j1:
            new.append(format_html("<ins>{}</ins>", separator.join(after[j1:j2])))
    return mark_safe(separator.join(old) or "—"), mark_safe(separator.join(new) or "—")  # noqa: S308 - escaped above


def _elided(text: str) -> str:
    lines = text.split("\n")
    if len(lines) <= 2 * CONTEXT_LINES + 1:
        return text
    return "\n".join([*lines[:CONTEXT_LINES], "…", *lines[-CONTEXT_LINES:]])


@dataclass
class Restored:
    article: Article
    missing_authors: list[int]
    left_out_tags: list[str]
    kept_category: bool
    kept_slug: bool
    kept_lead_image: bool = False


# What a lead image is: kept together when a restore would leave a live story's without alt text.
LEAD_IMAGE_FIELDS = ("lead_image", "lead_image_url", "lead_image_alt", "lead_image_decorative")


def restored_snapshot(article: Article, version: Version) -> Snapshot:
    """What `restore` would make of the article: `version`, publication as it is now."""
    after = snapshot(version)
    now = current_snapshot(article).fields
    after.fields = {**after.fields, **{name: now[name] for name in WORKFLOW_FIELDS}}
    return after


def restore(article: Article, version: Version, user) -> Restored:
    """Bring the article back to `version` as a new revision: fields (publication aside, see
    WORKFLOW_FIELDS), byline and tags. Authors or a section deleted since, or a slug another
    article took, are left as they are now (and reported), never recreated or taken back behind
    the editors' backs; so are tags deleted since, unless `user` may make tags (restoring by
    name would make them anew)."""
    old = snapshot(version)
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        article = Article.objects.select_for_update().get(pk=article.pk)
        authors = set(Author.objects.filter(pk__in=old.author_ids).values_list("pk", flat=True))
        article.bylines.all().delete()
        # One by one, not in bulk: each byline's save tells the pages of its author (after_write).
        for n, author_id in enumerate(a for a in old.author_ids if a in authors):
            Byline.objects.create(article=article, author_id=author_id, role=old.roles.get(author_id, ""), position=n)
        left_out_tags = [] if permissions.can_create_tags(user) else Tag.objects.new_names(old.tag_names)
        article.tags.set([name for name in old.tag_names if name not in left_out_tags])
        category_id = old.fields.get("category_id")
        kept = set()
        if category_id and not Category.objects.filter(pk=category_id).exists():
            kept.add("category_id")
        if Article.objects.filter(slug=old.fields.get("slug")).exclude(pk=article.pk).exists():
            kept.add("slug")
        if article.status == Article.Status.RETRACTED:
            kept.add("slug")  # a retracted story's address stays the one that answers 410
        image_now = {name: getattr(article, name) for name in LEAD_IMAGE_FIELDS}
        for model_field in COMPARED_FIELDS:
            if model_field.attname in old.fields and model_field.attname not in kept | WORKFLOW_FIELDS:
                setattr(article, model_field.attname, old.fields[model_field.attname])
        if article.status == Article.Status.PUBLISHED and article.publication_refusal():
            # A live story takes no lead image without alt text, by a restore either: it keeps its own.
            for name, value in image_now.items():
                setattr(article, name, value)
            kept.add("lead_image")
        article.save()  # after byline and tags, so everything derived on save sees them
        reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(
            _("Restored revision from %(when)s")
            % {"when": formats.localize(timezone.localtime(version.revision.date_created))}
        )
    missing_authors = [a for a in old.author_ids if a not in authors]
    return Restored(
        article, missing_authors, left_out_tags, "category_id" in kept, "slug" in kept, "lead_image" in kept
    )
