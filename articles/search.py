"""Full-text search on both databases, right for Chinese as well as English.

Neither PostgreSQL's text-search parser nor SQLite FTS5's tokenizer splits Chinese, which is
written without spaces, so Newsroom tokenizes itself: words for alphabetic scripts, overlapping
character pairs (bigrams) for CJK runs — "气候变化" is indexed as 气候 候变 变化, so a search for
气候 or 变化 finds it. The tokens go into each database's own inverted index (an FTS5 table on
SQLite, a GIN-indexed tsvector on PostgreSQL, built with array_to_tsvector so no parser touches
them), and queries are tokenized the same way: every query token must match.
"""

import re
from html import escape, unescape

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from .text import CJK_RANGES

TABLE = "articles_search"


def _id_column() -> str:
    return "article_id" if connection.vendor == "postgresql" else "rowid"


_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
_WORDS = re.compile(f"[^\\W_{CJK_RANGES}]+")
_BIGRAMS = re.compile(f"(?=([{CJK_RANGES}]{{2}}))")
# The last character of each CJK run (a lone one included): a one-character search for it
# would otherwise find nothing, as it starts no bigram.
_LAST_CJK = re.compile(f"[{CJK_RANGES}](?![{CJK_RANGES}])")
MAX_TOKEN = 100  # PostgreSQL refuses lexemes over 2,047 bytes
_TAG = re.compile(r"<[^>]*>")


def tokens(text: str) -> list[str]:
    """Search tokens of `text`: lower-cased words, bigrams of CJK runs, and the last character of
    each run. Three C-level regex passes: this runs on every imported article."""
    text = text.lower()
    words = [w[:MAX_TOKEN] for w in _WORDS.findall(text)]  # unspaced scripts (Thai) make long runs
    return words + _BIGRAMS.findall(text) + _LAST_CJK.findall(text)


def document(title: str, standfirst: str, body_html: str) -> str:
    """The distinct tokens an article is found by, space-separated (one string crosses from an
    import worker to the writer far cheaper than a list of a thousand)."""
    # The body is sanitised HTML, so dropping tags by pattern is exact (and far cheaper than strip_tags).
    return " ".join(dict.fromkeys(tokens(f"{title} {standfirst} {unescape(_TAG.sub(' ', body_html))}")))


def index(articles) -> None:
    """(Re)index `articles` (objects with pk, title, standfirst and body)."""
    index_rows([(a.pk, document(a.title, a.standfirst, a.body)) for a in articles])


def index_rows(rows: list[tuple[int, str]]) -> None:
    """(Re)index from (article id, document) pairs; the importer computes documents in its workers."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
                [(pk, doc.split()) for pk, doc in rows],
            )
        else:
            ids = [pk for pk, _ in rows]
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({','.join(['%s'] * len(ids))})", ids)
            cursor.executemany(f"INSERT INTO {TABLE} (rowid, document) VALUES (%s, %s)", rows)


def unindex(ids) -> None:
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE {_id_column()} IN ({','.join(['%s'] * len(ids))})", list(ids))


def prune() -> None:
    """Drop entries whose article is gone (after `flush`, which empties only Django's tables)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE {_id_column()} NOT IN (SELECT id FROM articles_article)")


def matching_ids(query: str) -> RawSQL | None:
    """A subquery of the ids of articles containing every token of `query`, or None when the
    query has nothing to search for. Words of three characters or more match as prefixes (tram
    finds trams); see _prefix."""
    terms = _query_terms(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        expression = " & ".join(
            "'" + t.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if _prefix(t) else "") for t in terms
        )
        return RawSQL(f"SELECT article_id FROM {TABLE} WHERE document @@ %s::tsquery", [expression])
    expression = " AND ".join('"' + t.replace('"', '""') + '"' + ("*" if _prefix(t) else "") for t in terms)
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])


def matches(query: str) -> RawSQL | None:
    """A condition on articles: they contain every token of `query` (None when there is
    nothing to search for), for lists in publication order.

    The matches are a set that the newest-first walk of the publication index probes, so a
    search matching every article stops at the rows it needs instead of sorting them all."""
    ids = matching_ids(query)
    if ids is None:
        return None
    # The unary + keeps SQLite from looking each match up by id and then sorting them all.
    plus = "" if connection.vendor == "postgresql" else "+"
    return RawSQL(f'{plus}"articles_article"."id" IN ({ids.sql})', ids.params, output_field=BooleanField())


MAX_QUERY = 200  # characters of a query read; MAX_TERMS tokens of them searched for
MAX_TERMS = 32


def canonical_query(text: str) -> str:
    """A query as it is searched for and shown: spaces collapsed, cut to MAX_QUERY characters."""
    return " ".join(text.split())[:MAX_QUERY]


def terms_key(query: str) -> str:
    """What a query's matches depend on: its terms, in one order. `Ferry, TRAM` and `tram ferry`
    are the same search, found and kept once."""
    return " ".join(sorted(_query_terms(query)))


def _query_terms(query: str) -> list[str]:
    """The tokens an article must have. A run's last character is indexed only so a one-character
    search finds it; in a longer run its bigram already requires it, and as a prefix it would
    make the index merge every token it starts."""
    text = query.lower()
    words = [w[:MAX_TOKEN] for w in _WORDS.findall(text)]
    lone = [run for run in _CJK_RUN.findall(text) if len(run) == 1]
    return list(dict.fromkeys([*words, *_BIGRAMS.findall(text), *lone]))[:MAX_TERMS]


def _prefix(term: str) -> bool:
    """Whether `term` matches as a prefix: words (numbers too) of three characters or more in
    any script but CJK (tram finds trams; a shorter one would make the index merge every token
    it starts), and a lone CJK character (found through the bigrams it starts)."""
    if _CJK_RUN.fullmatch(term):
        return len(term) == 1
    return len(term) >= 3


def create_index_table(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            # No foreign key: `flush` truncates Django's tables and a reference would stop it.
            f"CREATE TABLE {TABLE} (article_id bigint PRIMARY KEY, document tsvector NOT NULL)"
        )
        schema_editor.execute(f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)")
    else:
        # Tokens arrive split and lower-cased: the ascii tokenizer only has to cut at spaces, and
        # no positions are kept (queries are AND-ed single tokens), which halves indexing time.
        schema_editor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(document, tokenize='ascii', detail=none)")


def highlight(text: str, query: str, width: int = 160) -> str:
    """`text` (plain) escaped, cut to about `width` characters around the first match, with the
    query's words and CJK strings wrapped in <mark>."""
    if not tokens(query):
        return escape(text[:width])
    pattern = _needles(query)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    snippet = text[start : start + width]
    marked = pattern.sub(lambda m: "\0" + m.group(0) + "\1", snippet)
    html = escape(marked).replace("\0", "<mark>").replace("\1", "</mark>")
    return ("…" if start else "") + html + ("…" if start + width < len(text) else "")


def snippet(article, query: str) -> str:
    """The standfirst, highlighted; or, when the words are only in the body, the body around them."""
    if _needles(query).search(article.standfirst) or not article.body:
        return highlight(article.standfirst, query)
    return highlight(" ".join(unescape(_TAG.sub(" ", article.body)).split()), query)


def _needles(query: str):
    needles = sorted({*re.findall(r"\w+", query.lower()), *tokens(query)}, key=len, reverse=True) or ["\0"]
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
