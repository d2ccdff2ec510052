"""The real archives in ../shared/corpus: every file imports or says why not, and a sample of
each dialect matches its file field by field (read here with plain yaml/tomllib, not the
importer's own mapping)."""

import datetime as dt
import html
import json
import re
import tomllib
from collections import Counter
from email.utils import parsedate_to_datetime
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from articles.languages import language_tag
from articles.models import Article
from articles.sanitizing import loadable_image
from articles.text import is_mostly_cjk, plain_text
from tests.utils import empty_content, run_import

pytestmark = pytest.mark.django_db

SAMPLES = {
    "hexo-news": ["files/hn-0001.md", "files/hn-0004.md", "files/hn-0008.md", "files/hn-0012.md"],
    "hexo-zh": ["source/_posts/{first}", "source/_posts/{last}"],
    "jekyll": [
        "jekyll-docs/docs/_posts/{first}",
        "ruby-lang/en/news/_posts/{first}",
        "ruby-lang/zh_cn/news/_posts/{last}",
        "ruby-lang/ja/news/_posts/{first}",
    ],
    "hugo-docs": ["content/en/{first}", "content/en/functions/strings/{first}", "content/en/about/{last}"],
    "zola-toml": ["content/Rust-1.88.0.md", "content/inside-rust/{first}"],
}


def resolve(corpus: Path, dialect: str, pattern: str) -> Path:
    folder = corpus / dialect / pattern.rsplit("/", 1)[0]
    if "{" not in pattern:
        return corpus / dialect / pattern
    files = sorted(p for p in folder.iterdir() if p.suffix in (".md", ".markdown") and not p.name.startswith("_"))
    return files[0] if "{first}" in pattern else files[-1]


def read_plainly(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").lstrip()
    if text.startswith("+++"):
        front, body = text[3:].split("\n+++", 1)
        return tomllib.loads(front), body
    _, front, body = re.split(r"^-{3,}\s*$", text, maxsplit=2, flags=re.MULTILINE)
    return yaml.safe_load(front), body


def words(text: str) -> str:
    return " ".join(str(text).split())


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, corpus, tmp_path_factory):
    """The whole corpus imported once for this module, with its report."""
    report = tmp_path_factory.mktemp("corpus") / "report.json"
    with django_db_blocker.unblock():
        out, err = run_import(corpus, report=str(report))
        yield json.loads(report.read_text()), out, err
        empty_content()  # deletions of its articles are not remembered either: other tests import it afresh


def test_every_file_imports_or_says_why(imported, corpus):
    report, out, _ = imported
    outcomes = {Path(f["path"]).relative_to(corpus).as_posix(): f for f in report["files"]}
    assert report["counts"]["failed"] == 0
    skipped = {path: f["reason"] for path, f in outcomes.items() if f["outcome"] == "skipped"}
    for path, reason in skipped.items():
        if path.endswith("SOURCE.md"):
            assert reason.startswith("no front matter"), path
        else:
            assert "/_common/" in path and reason.startswith("no title"), path
    assert len(skipped) == 20
    assert report["counts"]["created"] == len(outcomes) - 20 == Article.objects.count()


def test_no_imported_body_can_run_anything(imported):
    articles = Article.objects.only("body", "source_path")
    assert articles.exists()
    for article in articles:
        body = article.body.lower()
        for needle in ("<script", "<style", "<iframe"):  # as markup; as text it is escaped
            assert needle not in body, (article.source_path, needle)
        for attribute in (r"\son\w+\s*=", r"\sstyle\s*=", r"=\s*[\"']?\s*javascript:"):
            assert not re.search(r"<[^>]*" + attribute, body), (article.source_path, attribute)


def test_pmcaff_style_block_does_not_leak_as_text(imported, corpus):
    articles = Article.objects.filter(source_path__startswith=str(corpus / "hexo-news"))
    assert articles.exists()
    for article in articles:
        assert not re.search(r"[.#][\w-]+\s*\{[^}]*:[^}]*\}", article.body), article.source_path


def test_date_traps_become_drafts_with_a_warning(imported):
    report, _, _ = imported
    invalid = [f for f in report["files"] if any("unreadable date 'Invalid Date'" in w for w in f["warnings"])]
    assert len(invalid) == 5
    for entry in invalid:
        article = Article.objects.get(pk=entry["article_id"])
        assert (article.status, article.published_at) == (Article.Status.DRAFT, None)


def test_reimporting_a_sub_folder_creates_nothing(imported, corpus):
    out, _ = run_import(corpus / "jekyll")
    assert ", 0 created, 0 updated," in out.replace("files:", "files:,")


def test_translations_are_separate_articles(imported, corpus):
    name = "2003-10-30-ruby-181-preview2.md"
    paths = [corpus / "jekyll" / "ruby-lang" / lang / "news" / "_posts" / name for lang in ("en", "de")]
    assert all(p.exists() for p in paths)
    assert Article.objects.filter(source_path__in=[str(p) for p in paths]).values("language").distinct().count() == 2


@pytest.mark.parametrize(("dialect", "pattern"), [(d, p) for d, ps in SAMPLES.items() for p in ps])
def test_sample_matches_its_file(imported, corpus, dialect, pattern):
    path = resolve(corpus, dialect, pattern)
    meta, body = read_plainly(path)
    article = Article.objects.prefetch_related("bylines__author", "tags").get(source_path=str(path))

    assert article.title == words(meta["title"])

    expected_time = None
    if isinstance(meta.get("date"), str):
        raw = meta["date"]
        expected_time = parsedate_to_datetime(raw) if raw[:3].isalpha() else dt.datetime.fromisoformat(raw)
    elif isinstance(meta.get("date"), dt.datetime | dt.date):
        raw = meta["date"]
        expected_time = raw if isinstance(raw, dt.datetime) else dt.datetime.combine(raw, dt.time())
    elif match := re.match(r"(\d{4})-(\d\d)-(\d\d)-", path.name):
        expected_time = dt.datetime(*map(int, match.groups()))
    elif match := re.match(r"(\d{4})/(\d\d)/(\d\d)/", str(meta.get("path", ""))):
        expected_time = dt.datetime(*map(int, match.groups()))
    if expected_time is not None:
        if expected_time.tzinfo is None:
            expected_time = expected_time.replace(tzinfo=dt.UTC)
        assert article.published_at == expected_time

    categories = meta.get("categories") or []
    if categories and not any(isinstance(c, list) for c in categories):
        assert article.category.full_name == " / ".join(words(c) for c in categories)

    authors = meta.get("authors") or meta.get("author") or []
    authors = [authors] if isinstance(authors, str) else authors
    names = [words(a["name"] if isinstance(a, dict) else a) for a in authors]
    assert [a.name for a in article.byline if not a.role] == names
    # ruby-lang's translations credit their translator (once on the byline, an author translating their own post).
    translator = words(meta.get("translator") or "")
    translated = [a.name for a in article.byline if a.role == "Translated by"]
    assert translated == ([translator] if translator and translator.casefold() not in map(str.casefold, names) else [])

    tags = meta.get("tags") or []
    tags = [tags] if isinstance(tags, str) else tags
    assert sorted(article.tags.names(), key=str.lower) == sorted({words(t) for t in tags}, key=str.lower)

    summary = meta.get("summary") or meta.get("description")
    if summary:
        assert article.standfirst == words(html.unescape(re.sub(r"<[^>]+>", "", summary)))

    lead = meta.get("headimg") or meta.get("thumbnail") or meta.get("image")
    if isinstance(lead, str) and lead.startswith("http") and "picsum" not in lead:
        assert article.lead_image_url in (meta.get("image"), meta.get("thumbnail"), meta.get("headimg"))

    # The first words of the body's first text line are in what readers see (comments are not).
    body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)
    lines = [line for line in body.split("\n") if re.search(r"\w{4}", re.sub(r"<[^>]+>|\{[{%].*?[}%]\}", "", line))]
    if not lines:
        assert article.body == ""
        return
    text = words(html.unescape(re.sub(r"<[^>]+>|\{[{%].*?[}%]\}|[*`#>\[\]]|\]\([^)]*\)", "", lines[0])))
    fragment = re.split(r"\(|https?://", text)[0][:20].strip()
    visible = words(html.unescape(re.sub(r"<[^>]+>", "", article.body)))
    assert fragment in visible, (fragment, visible[:200])


def test_chinese_posts_without_a_language_key_are_chinese(imported, corpus):
    """Before, every Chinese post whose front matter names no language was the site's en-us:
    the 171 of hexo-zh and hexo-news that are Chinese. Now each is zh-hans, and every body
    mostly in CJK letters has a CJK language."""
    unnamed = Article.objects.filter(source_path__regex=r"/(hexo-zh|hexo-news)/").only("language", "source_path")
    assert Counter(a.language for a in unnamed) == {"zh-hans": 171, "": 3}  # 3: English posts (hello-world…)
    for article in Article.objects.only("body", "language", "source_path"):
        if is_mostly_cjk(plain_text(article.body)):
            assert language_tag(article.language).split("-")[0] in ("zh", "ja", "ko"), article.source_path


def test_no_reader_gets_a_broken_image(imported):
    """The images the importer could not find (1,070 references, lead images included; the old
    renderer left 923 of them in 149 bodies as broken `src`s) are left out of every body, and
    listed on their articles for a later import to find."""
    missing = sum(len(a.missing_images) for a in Article.objects.only("missing_images"))
    assert missing == 1070
    for article in Article.objects.only("body", "source_path"):
        for src in re.findall(r"<img\b[^>]*?\bsrc=\"([^\"]*)\"", article.body):
            assert loadable_image(src), (article.source_path, src)
        assert not re.search(r"<img\b(?![^>]*\bsrc=)", article.body), article.source_path


def test_render_bodies_lists_the_images_an_older_import_did_not_find(imported, corpus):
    """Articles imported before `missing_images` existed: on the real archives, `render_bodies`
    lists for them exactly what the import lists (1,070 references on 174 articles), and the
    next import of the unchanged archives, none of those images there, re-reads nothing."""
    listed = dict(Article.objects.values_list("pk", "missing_images"))
    Article.objects.update(missing_images=[])
    out = StringIO()
    call_command("render_bodies", stdout=out)
    assert "0 bodies changed, 0 failed; images to look for listed on 174 articles" in out.getvalue()
    assert dict(Article.objects.values_list("pk", "missing_images")) == listed
    out, _ = run_import(corpus)
    assert re.search(r": 0 created, 0 updated, \d+ unchanged, ", out)
