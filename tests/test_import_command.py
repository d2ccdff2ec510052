"""The import_articles command: runs, re-runs, failures reported one line each, options, the report, dry runs."""

import datetime as dt
import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article, Author, Category, Tag
from tests.utils import make_image, run_import, write

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[1] / "articles" / "sample_content" / "000_6a04a1efea1f1887.txt"


UTC = dt.UTC


def test_seed_article_field_by_field():
    out, _ = run_import(SEED)
    assert "1 created" in out
    article = Article.objects.get()
    assert article.title == "中国特使解振华：中美合作是唯一正确选择"
    assert article.published_at == dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)
    assert article.status == Article.Status.PUBLISHED
    assert str(article.category) == "新媒体 / 观察者网 / 头条"
    assert [a.name for a in article.byline] == ["观察者网"]
    assert article.lead_image_url == "https://i.guancha.cn/news/2021/11/12/20211112081622209.jpg"
    assert article.body_format == Article.BodyFormat.HTML
    assert 'referrerpolicy="no-referrer"' in article.body
    assert article.body.count("<p>") == 13
    assert "解振华说" in article.body
    assert article.standfirst.startswith("11月10日，中国和美国在英国格拉斯哥")
    assert article.extra == {
        "comments": False,
        "headimg": "https://i.guancha.cn/news/2021/11/12/20211112081622209.jpg",
    }
    assert article.source_key == f"path:{SEED}"  # no content folder in the path: the whole path
    assert len(article.source_hash) == 64
    assert article.imported_at is not None


def test_reimport_is_idempotent(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: A\ndate: 2024-01-02\ntags: [x, y]\nauthor: Ann\ncategories: [News, City]\n---\nBody",
    )
    run_import(tmp_path)
    out, _ = run_import(tmp_path)
    assert "0 created, 0 updated, 1 unchanged" in out
    assert Article.objects.count() == 1
    assert Author.objects.count() == 1
    assert Category.objects.count() == 2


def test_changed_file_updates_its_article_in_place(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: First\ntags: [x]\nauthor: Ann\n---\nOne")
    run_import(tmp_path)
    original = Article.objects.get()
    path.write_text("---\ntitle: Second\ntags: [y]\nauthors: [Bo, Ann]\n---\nTwo", encoding="utf-8")
    out, _ = run_import(tmp_path)
    assert "1 updated" in out
    article = Article.objects.get()
    assert article.pk == original.pk
    assert article.slug == original.slug  # the address readers know stays put
    assert article.title == "Second"
    assert list(article.tags.names()) == ["y"]
    assert [a.name for a in article.byline] == ["Bo", "Ann"]


def test_one_bad_file_is_reported_and_the_rest_import(tmp_path):
    write(tmp_path, "good-1.md", "---\ntitle: Good one\n---\nText")
    write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText")
    write(tmp_path, "good-2.md", "---\ntitle: Good two\n---\nText")
    write(tmp_path, "untitled.md", "---\nauthor: Someone\n---\nText")
    with pytest.raises(CommandError) as excinfo:
        run_import(tmp_path)
    assert "2 created, 0 updated, 0 unchanged, 1 skipped, 1 failed" in str(excinfo.value)
    assert set(Article.objects.values_list("title", flat=True)) == {"Good one", "Good two"}
    assert not Author.objects.filter(name="Someone").exists()  # nothing half-written


def test_failure_lines_name_the_file_and_the_reason(tmp_path):
    bad = write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText")
    untitled = write(tmp_path, "untitled.md", "---\nauthor: Someone\n---\nText")
    plain = write(tmp_path, "plain.md", "Just text, no front matter.")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert f"{bad}: front matter is not valid YAML: did not find expected ',' or ']' (line 3)" in lines
    assert f"{untitled}: skipped: no title in the front matter (not an article)" in lines
    assert any(line.startswith(f"{plain}: skipped: no front matter") for line in lines)


def test_dry_run_writes_nothing(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Not yet\nauthor: Ann\ncategories: [X]\n---\nBody")
    out, _ = run_import(tmp_path, dry_run=True)
    assert "Dry run, nothing written. 1 files: 1 readable" in out
    assert not Article.objects.exists() and not Author.objects.exists() and not Category.objects.exists()


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run_import(tmp_path / "nope")


def test_extensions_option_picks_the_files(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Md\n---\nBody")
    write(tmp_path, "b.txt", "---\ntitle: Txt\n---\nBody")
    run_import(tmp_path, extensions=".txt")
    assert list(Article.objects.values_list("title", flat=True)) == ["Txt"]


def test_progress_bar_on_a_terminal_only(tmp_path):
    for n in range(60):
        write(tmp_path, f"{n}.md", f"---\ntitle: Story {n}\n---\nBody")

    class Terminal(StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=terminal)
    assert "\r[" in terminal.getvalue() and "60/60" in terminal.getvalue()
    piped = StringIO()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=piped)
    assert piped.getvalue() == ""
    quiet = Terminal()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=quiet, verbosity=0)
    assert quiet.getvalue() == ""


def test_likely_duplicates_are_listed_not_merged(tmp_path):
    body = "<div><p>Same story text.</p></div>"
    write(tmp_path, "a.md", f"---\ntitle: First title\n---\n{body}")
    write(tmp_path, "b.md", f"---\ntitle: Re-titled\n---\n{body}")
    common = "author: 观察者网\ndate: 2021-11-12 08:00:00\nheadimg: https://img.example/x.jpg"
    write(tmp_path, "c.md", f"---\ntitle: C\n{common}\n---\nOne")
    write(tmp_path, "d.md", f"---\ntitle: D\n{common}\n---\nTwo")
    out, _ = run_import(tmp_path)
    assert Article.objects.count() == 4
    assert f"likely duplicates (identical body): {tmp_path / 'a.md'} | {tmp_path / 'b.md'}" in out
    assert f"likely duplicates (same byline, time and lead image): {tmp_path / 'c.md'} | {tmp_path / 'd.md'}" in out


def test_links_outside_the_folder_are_not_followed(tmp_path):
    outside = write(tmp_path, "outside/secret.md", "---\ntitle: Outside\n---\nB")
    write(tmp_path, "archive/inside.md", "---\ntitle: Inside\n---\nB")
    (tmp_path / "archive" / "link.md").symlink_to(outside)
    (tmp_path / "archive" / "dir").symlink_to(tmp_path / "outside")
    run_import(tmp_path / "archive")
    assert list(Article.objects.values_list("title", flat=True)) == ["Inside"]


def test_report_file_lists_every_file(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ndate: Invalid Date\n---\nB")
    write(tmp_path, "b.md", "no front matter")
    report = tmp_path / "report.json"
    run_import(tmp_path / "a.md", tmp_path / "b.md", report=str(report))
    data = json.loads(report.read_text())
    assert data["counts"]["created"] == 1 and data["counts"]["skipped"] == 1
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path[str(tmp_path / "a.md")]["warnings"][0].startswith("unreadable date 'Invalid Date'")
    assert by_path[str(tmp_path / "b.md")]["outcome"] == "skipped"


def test_dry_run_stores_no_images(tmp_path, media_root):
    make_image(tmp_path / "content" / "x" / "chart.png")
    write(tmp_path, "content/x/index.md", "---\ntitle: T\ncover: chart.png\n---\nB")
    out, _ = run_import(tmp_path, dry_run=True)
    assert "1 readable" in out
    assert not Article.objects.exists() and not (media_root / "imported").exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_create_no_duplicates(tmp_path):
    """Two imports at once over overlapping files: one article, author, section and tag each."""
    for n in range(30):
        write(
            tmp_path,
            f"set/{n}.md",
            f"---\ntitle: Story {n}\nauthor: Shared Author {n % 3}\ncategories: [News, City {n % 2}]\n"
            f"tags: [shared, t{n % 4}]\n---\nBody {n}",
        )
    barrier, errors = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            run_import(tmp_path / "set", jobs=1)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Article.objects.count() == 30
    assert Author.objects.count() == 3
    assert Category.objects.count() == 3
    assert Tag.objects.count() == 5
    assert sorted(Article.objects.values_list("slug", flat=True)) == sorted(f"story-{n}" for n in range(30))


def test_templates_are_skipped_not_failed(tmp_path):
    path = write(tmp_path, "layouts/list.html", '{{ define "main" }}{{ .Content }}{{ end }}')
    _, err = run_import(tmp_path)
    assert f"{path}: skipped: no front matter" in err
