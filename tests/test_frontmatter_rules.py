"""The operators' rules, each in one place: which article a file is (`identity.decide`, pure),
which author a byline is (`Author.objects.for_byline`), what an import reports (`Outcome`), and
which keys an export writes (the mapping table)."""

import copy
import dataclasses
import json
import shutil
from io import StringIO
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from articles.frontmatter import ArticleData, Outcome, find_sources, map_source, read_source
from articles.frontmatter.identity import Claims, Decision, absolute_key, decide, lookup_keys
from articles.frontmatter.mapping import ALIASES, CREDITS, ImportOptions
from articles.models import Article, Author
from tests.utils import run_import, write

pytestmark = pytest.mark.django_db


# (a) Author identity: one rule.


def test_one_name_with_two_emails_is_two_authors_and_without_email_one(tmp_path):
    for n, email in enumerate(["li.wei@desk-a.example", "li.wei@desk-b.example"]):
        write(tmp_path, f"{n}.md", f"---\ntitle: Story {n}\nauthor:\n  name: Li Wei\n  email: {email}\n---\nB")
    for n in (2, 3):
        write(tmp_path, f"{n}.md", f"---\ntitle: Story {n}\nauthor: Wang Fang\n---\nB")
    run_import(tmp_path)
    assert sorted(Author.objects.filter(name="Li Wei").values_list("email", flat=True)) == [
        "li.wei@desk-a.example",
        "li.wei@desk-b.example",
    ]
    assert Author.objects.filter(name="Wang Fang").count() == 1
    bylines = {a.title: [x.email for x in a.byline] for a in Article.objects.prefetch_related("bylines__author")}
    assert bylines["Story 0"] == ["li.wei@desk-a.example"] and bylines["Story 1"] == ["li.wei@desk-b.example"]

    run_import(tmp_path, jobs=1)  # a re-run finds the same three
    write(tmp_path, "4.md", "---\ntitle: Story 4\nauthor:\n  name: Li Wei\n  email: li.wei@desk-b.example\n---\nB")
    run_import(tmp_path)
    assert Author.objects.count() == 3
    assert [x.email for x in Article.objects.get(title="Story 4").byline] == ["li.wei@desk-b.example"]


def test_an_author_insert_that_collides_is_retried_and_the_file_imported(tmp_path):
    """What a concurrent import causes (PostgreSQL runs the real race): the batch's insert fails,
    the batch is redone file by file, and the files are imported with one author."""
    for n in range(3):
        write(tmp_path, f"{n}.md", f"---\ntitle: Story {n}\nauthor: Shared Byline\n---\nB")
    real_save, calls = Author.save, []

    def colliding_save(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: articles_author.slug")
        return real_save(self, *args, **kwargs)

    with mock.patch.object(Author, "save", colliding_save):
        out, _ = run_import(tmp_path, jobs=1)
    assert "3 created" in out and "0 failed" in out
    assert list(Author.objects.values_list("name", flat=True)) == ["Shared Byline"]
    assert len(calls) == 2


# (b) Import identity: one pure decision.


def mapped(path: Path) -> ArticleData:
    """A file as the importer maps it (by the absolute path the command finds it under)."""
    [found] = find_sources([str(path)])
    options = ImportOptions(tz=ZoneInfo("UTC"))
    return map_source(read_source(Path(found), options.max_file_bytes), options)


def known(item: ArticleData):
    """What the writer loads for a file: the articles under its keys and with its bytes."""
    by_key = {a.source_key: a for a in Article.objects.filter(source_key__in=lookup_keys(item))}
    by_hash = {}
    for article in Article.objects.filter(source_hash=item.content_hash):
        by_hash.setdefault(article.source_hash, []).append(article)
    return by_key, by_hash


def decide_purely(item, claimed, by_key=None, by_hash=None) -> Decision:
    """`decide`, checking it changes none of what it is given."""

    def state():
        return copy.deepcopy((dataclasses.asdict(item), vars(claimed) if isinstance(claimed, Claims) else claimed))

    before, loaded = state(), copy.copy((by_key, by_hash))
    decision = decide(item, claimed, by_key, by_hash)
    assert state() == before and (by_key, by_hash) == loaded
    assert isinstance(decision, Decision)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.key = "changed"
    return decision


def test_the_mapped_item_carries_no_identity_verdict():
    assert "clash" not in {f.name for f in dataclasses.fields(ArticleData)}


def test_an_explicit_id_twice_in_one_run_is_refused_naming_the_other_file(tmp_path):
    first = mapped(write(tmp_path, "a.md", "---\nid: same\ntitle: First\n---\nB"))
    second = mapped(write(tmp_path, "b.md", "---\nid: same\ntitle: Second\n---\nB"))
    claimed = {}
    decision = decide_purely(first, claimed, {}, {})
    assert decision == Decision("id:same")
    claimed[decision.key] = first.source_path  # the caller records what the decision claims
    refused = decide_purely(second, claimed, {}, {})
    assert refused.article is None
    assert refused.refusal == f"same identity (id:same) as {first.source_path}, imported in this run: not imported"
    assert decide_purely(second, claimed) == refused  # a dry run refuses it the same way

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert f"{second.source_path}: {refused.refusal}" in err.getvalue()
    assert list(Article.objects.values_list("title", "source_key")) == [("First", "id:same")]

    # Next run: the first file holds the id in the database, and the second is refused for it.
    by_key, by_hash = known(second)
    refused = decide_purely(second, {}, by_key, by_hash)
    assert refused.refusal == f"same identity (id:same) as {first.source_path}, which still exists: not imported"


def test_two_sites_with_one_post_name_the_second_known_by_its_absolute_path(tmp_path):
    a = write(tmp_path, "siteA/_posts/welcome.md", "---\ntitle: Welcome to A\n---\nA")
    b = write(tmp_path, "siteB/_posts/welcome.md", "---\ntitle: Welcome to B\n---\nB")
    item_a, item_b = mapped(a), mapped(b)
    assert item_a.source_key == item_b.source_key == "path:_posts/welcome.md"

    # In one run: the second file falls back to its absolute path.
    claims = Claims()
    claims.record(decide(item_a, claims), item_a.source_path)
    assert decide_purely(item_b, claims) == Decision(absolute_key(item_b))

    # In two runs: the database holds the key for the other site's file, which still exists.
    run_import(tmp_path / "siteA")
    by_key, by_hash = known(item_b)
    decision = decide_purely(item_b, Claims(), by_key, by_hash)
    assert decision == Decision(absolute_key(item_b))
    assert item_b.source_key == "path:_posts/welcome.md"  # the item still says what its file says
    run_import(tmp_path / "siteB")
    assert dict(Article.objects.values_list("title", "source_key")) == {
        "Welcome to A": "path:_posts/welcome.md",
        "Welcome to B": decision.key,
    }
    # Re-run: the second site's article is found under its absolute key, and is unchanged.
    by_key, by_hash = known(item_b)
    again = decide_purely(item_b, Claims(), by_key, by_hash)
    assert (again.key, again.article.title) == (decision.key, "Welcome to B")
    out, _ = run_import(tmp_path)
    assert "0 created, 0 updated, 2 unchanged" in out


def test_a_moved_archive_follows_its_files(tmp_path):
    write(tmp_path, "old/content/a.md", "---\ntitle: A\n---\nB")
    write(tmp_path, "old/loose/b.md", "---\ntitle: Loose\n---\nB")
    run_import(tmp_path / "old")
    before = dict(Article.objects.values_list("title", "pk"))
    shutil.move(tmp_path / "old", tmp_path / "new")
    anchored, loose = mapped(tmp_path / "new/content/a.md"), mapped(tmp_path / "new/loose/b.md")

    # Under a content folder the key is unchanged; its old file is gone, so it is this one's.
    decision = decide_purely(anchored, Claims(), *known(anchored))
    assert (decision.key, decision.article.pk) == ("path:content/a.md", before["A"])
    # Outside one, the key is new: the same bytes under the same name, the old file gone.
    decision = decide_purely(loose, Claims(), *known(loose))
    assert decision.key == loose.source_key == absolute_key(loose)
    assert decision.article.pk == before["Loose"]
    assert "/old/" in decision.article.source_path

    out, _ = run_import(tmp_path / "new")
    assert "0 created, 2 updated" in out
    assert dict(Article.objects.values_list("title", "pk")) == before
    assert Article.objects.get(pk=before["Loose"]).source_key == decision.key


def test_a_dry_run_consults_only_the_run(tmp_path):
    item = mapped(write(tmp_path, "a.md", "---\nid: 7\ntitle: T\n---\nB"))
    other = mapped(write(tmp_path, "b.md", "---\nid: 7\ntitle: U\n---\nB"))
    run_import(tmp_path / "a.md")
    assert decide_purely(other, {}) == Decision("id:7")  # the database's holder is not asked
    out, _ = run_import(tmp_path / "b.md", dry_run=True)
    assert "1 readable" in out and item.source_key == other.source_key


# (c) Outcomes: an enum; the report and the summary as they were.


def test_outcomes_are_an_enum_of_the_reported_strings():
    assert [str(o) for o in Outcome] == [
        "created", "updated", "unchanged", "skipped", "deleted", "retracted", "failed", "checked",
    ]  # fmt: skip
    assert Outcome("created") is Outcome.CREATED and isinstance(Outcome.CREATED, str)


def test_the_report_writes_outcome_strings_and_the_summary_is_unchanged(tmp_path):
    write(tmp_path, "a.md", "---\nid: one\ntitle: A\n---\nB")
    write(tmp_path, "b.md", "---\nid: one\ntitle: B\n---\nB")
    write(tmp_path, "c.md", "---\nlayout: partial\n---\nNo title")
    report = tmp_path / "report.json"
    with pytest.raises(CommandError) as failed:
        run_import(tmp_path, report=str(report))
    assert str(failed.value) == "3 files: 1 created, 0 updated, 0 unchanged, 1 skipped, 1 failed, 0 warnings"
    text = report.read_text(encoding="utf-8")
    assert '"outcome": "created"' in text and '"outcome": "failed"' in text and '"outcome": "skipped"' in text
    written = json.loads(text)
    assert written["counts"] == {
        "created": 1, "updated": 0, "unchanged": 0, "skipped": 1, "deleted": 0, "retracted": 0, "failed": 1,
        "checked": 0, "warnings": 0,
    }  # fmt: skip
    assert {f["path"].rsplit("/", 1)[1]: f["outcome"] for f in written["files"]} == {
        "a.md": "created",
        "b.md": "failed",
        "c.md": "skipped",
    }
    assert sorted(written["files"][0]) == [
        "article_id", "notes", "outcome", "path", "reason", "source_key", "warnings",
    ]  # fmt: skip

    (tmp_path / "b.md").unlink()
    out, _ = run_import(tmp_path, report=str(report), verbosity=2)
    assert out.splitlines()[-1] == "2 files: 0 created, 0 updated, 1 unchanged, 1 skipped, 0 failed, 0 warnings"
    assert f"{tmp_path / 'a.md'}: unchanged" in out
    assert [f["outcome"] for f in json.loads(report.read_text(encoding="utf-8"))["files"]] == ["unchanged", "skipped"]

    write(tmp_path, "d.md", "---\ntitle: D\n---\nB")
    out, _ = run_import(tmp_path, dry_run=True, report=str(report))
    assert out.splitlines()[-1] == (
        "Dry run, nothing written. 3 files: 1 readable, 1 unchanged, 1 skipped, 0 failed, 0 warnings"
    )
    assert json.loads(report.read_text(encoding="utf-8"))["counts"]["checked"] == 1


# (d) Export: every key from the table.

FIRST_KEYS = {aliases[0] for aliases in ALIASES.values()}


def test_an_export_writes_only_the_tables_first_keys(tmp_path):
    write(
        tmp_path,
        "in/a.md",
        "---\ntitle: Every field\nslug: every-field\ndate: 2021-03-04 05:06:07\nlastmod: 2021-03-05\n"
        "expires: 2030-01-01\nstatus: pending\ncategory: [News, City]\n"
        "author:\n  - name: Zed\n    email: zed@example.com\n    url: https://zed.example\n"
        "tags: [one, two]\ndescription: The summary\ncover: https://img.example/a.jpg\ncaption: A caption\n"
        "credit: A credit\nlanguage: en\nkeywords: k1, k2\nfeatured: true\nformat: markdown\n"
        "image_alt: A picture\nimage_decorative: true\nimage_copyright: © Someone\n"
        "image_license: https://example.org/l\nimage_acquire_license_page: https://example.org/buy\n"
        "image_focal_point: 20,30\ntranslationKey: every\n"
        "redirect_from: [/old/]\n---\nBody",
    )
    write(tmp_path, "in/b.md", "---\ntitle: Draft\ndraft: true\n---\n<p>Body</p>")
    run_import(tmp_path / "in")
    call_command("export_articles", str(tmp_path / "out"), verbosity=0)
    exported = {}
    for path in sorted((tmp_path / "out").glob("*/index.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        exported[meta[ALIASES["title"][0]]] = list(meta)
    for title, keys in exported.items():
        for key in keys:
            assert any(key == aliases[0] for aliases in ALIASES.values()), f"{title}: {key} is not a first alias"
    read_only = (
        "url",
        "identity",
        "published_flag",
        "zola_path",
        "summary",
        "extra",
        "lead_image_photographer",
        "retraction",
        *CREDITS,
    )
    assert set(exported["Every field"]) == FIRST_KEYS - {ALIASES[field][0] for field in read_only}
    # read only: an export writes the address as an alias, the status as draft/status, the
    # standfirst as written, roles in the authors' entries, the photographer as the credit; an id,
    # extra data the table would read and a retraction only when there are
    assert exported["Every field"][:3] == [ALIASES["title"][0], ALIASES["slug"][0], ALIASES["published_at"][0]]
    assert exported["Draft"] == [ALIASES[field][0] for field in ("title", "slug", "draft", "standfirst", "body_format")]
