"""How a re-run finds an article again: unchanged and changed files, the identity rule (README), moves,
clashes, likely duplicates, concurrent runs, editors' changes."""

import shutil
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article, Author, Category, Tag
from tests.utils import only, run_import, write

pytestmark = pytest.mark.django_db


def test_translations_and_bundles_with_the_same_file_name_stay_apart(tmp_path):
    write(tmp_path, "en/news/_posts/2020-01-01-release.md", "---\ntitle: Released\nlang: en\n---\nB")
    write(tmp_path, "zh_cn/news/_posts/2020-01-01-release.md", "---\ntitle: 发布了\nlang: zh_cn\n---\nB")
    write(tmp_path, "content/docs/_index.md", "---\ntitle: Docs\n---\nB")
    write(tmp_path, "content/news/_index.md", "---\ntitle: News\n---\nB")
    run_import(tmp_path)
    assert Article.objects.count() == 4
    assert set(Article.objects.values_list("language", flat=True)) == {"en", "zh_cn", ""}


def test_identity_does_not_depend_on_the_folder_named(tmp_path):
    write(tmp_path, "site/content/posts/a.md", "---\ntitle: A\n---\nB")
    write(tmp_path, "site/content/posts/b.md", "---\ntitle: B\n---\nB")
    write(tmp_path, "other/loose.md", "---\ntitle: Loose\n---\nB")
    run_import(tmp_path)
    out, _ = run_import(tmp_path / "site" / "content" / "posts", tmp_path / "other" / "loose.md")
    assert "0 created" in out and Article.objects.count() == 3


def test_moved_archive_updates_the_same_articles(tmp_path):
    write(tmp_path, "old/content/a.md", "---\ntitle: A\n---\nB")
    write(tmp_path, "old/loose/b.md", "---\ntitle: Loose\n---\nB")
    run_import(tmp_path / "old")
    before = dict(Article.objects.values_list("title", "pk"))
    shutil.move(tmp_path / "old", tmp_path / "new")
    out, _ = run_import(tmp_path / "new")
    assert "0 created" in out
    assert dict(Article.objects.values_list("title", "pk")) == before
    assert before and all("/new/" in p for p in Article.objects.values_list("source_path", flat=True))


def test_explicit_id_follows_a_renamed_file(tmp_path):
    path = write(tmp_path, "a.md", "---\nid: story-17\ntitle: First\n---\nB")
    run_import(tmp_path)
    path.rename(tmp_path / "renamed.md")
    (tmp_path / "renamed.md").write_text("---\nid: story-17\ntitle: Second\n---\nB", encoding="utf-8")
    run_import(tmp_path)
    assert list(Article.objects.values_list("title", "source_key")) == [("Second", "id:story-17")]


def test_two_files_claiming_one_identity_in_a_run(tmp_path):
    write(tmp_path, "a.md", "---\nid: same\ntitle: First\n---\nB")
    second = write(tmp_path, "b.md", "---\nid: same\ntitle: Second\n---\nB")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert (
        f"{second}: same identity (id:same) as {tmp_path / 'a.md'}, imported in this run: not imported"
        in err.getvalue()
    )
    assert only().title == "First"


def test_editor_changes_survive_a_reimport_unless_overwrite(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: From file\n---\nOne")
    run_import(tmp_path)
    article = only()
    article.title = "Edited in the admin"
    article.save()
    path.write_text("---\ntitle: File changed\n---\nTwo", encoding="utf-8")
    out, err = run_import(tmp_path)
    assert "1 skipped" in out
    assert f"{path}: skipped: an editor changed this article after it was imported; --overwrite replaces it" in err
    assert only().title == "Edited in the admin"
    run_import(tmp_path, overwrite=True)
    assert only().title == "File changed"


def test_reimport_of_a_changed_file_keeps_an_undated_articles_time_and_address(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: Undated\n---\nOne")
    run_import(tmp_path)
    first = only()
    path.write_text("---\ntitle: Undated\n---\nTwo", encoding="utf-8")
    run_import(tmp_path)
    assert only().published_at == first.published_at
    assert only().get_absolute_url() == first.get_absolute_url()


def test_slug_change_in_the_file_keeps_the_old_address_working(tmp_path, client):
    path = write(tmp_path, "a.md", "---\ntitle: T\nslug: first\ndate: 2020-01-01\n---\nB")
    run_import(tmp_path)
    old_url = only().get_absolute_url()
    path.write_text("---\ntitle: T\nslug: second\ndate: 2020-01-01\n---\nB", encoding="utf-8")
    run_import(tmp_path)
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == only().get_absolute_url() == "/2020/01/01/second/"


def test_two_sites_with_the_same_post_name_stay_two_articles(tmp_path):
    write(tmp_path, "siteA/_posts/2020-01-01-welcome.md", "---\ntitle: Welcome to A\n---\nA")
    write(tmp_path, "siteB/_posts/2020-01-01-welcome.md", "---\ntitle: Welcome to B\n---\nB")
    run_import(tmp_path / "siteA")
    run_import(tmp_path / "siteB")
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Welcome to A", "Welcome to B"]
    for site in ("siteA", "siteB"):
        out, _ = run_import(tmp_path / site)
        assert "0 created, 0 updated, 1 unchanged" in out
    out, _ = run_import(tmp_path)
    assert "0 created, 0 updated, 2 unchanged" in out


def test_a_second_file_with_a_taken_id_is_refused_every_time(tmp_path):
    write(tmp_path, "a.md", "---\nid: 42\ntitle: First\n---\nB")
    second = write(tmp_path, "b.md", "---\nid: 42\ntitle: Second\n---\nB")
    for _ in range(3):
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
        assert f"{second}: same identity (id:42) as {tmp_path / 'a.md'}" in err.getvalue()
        assert only().title == "First"


def test_identical_files_in_two_places_are_not_taken_for_a_move(tmp_path):
    text = "---\ntitle: About\n---\nSame words."
    write(tmp_path, "content/en/about.md", text)
    write(tmp_path, "content/fr/about.md", text)
    run_import(tmp_path / "content" / "en")
    run_import(tmp_path / "content" / "fr")
    assert Article.objects.count() == 2
    out, _ = run_import(tmp_path)
    assert "2 unchanged" in out


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


def test_a_files_identity_does_not_move_with_the_language_read_from_its_text(tmp_path):
    # siteB's file falls back to its absolute identity; it names no language, so its language is
    # read from its text, and an edit turning the text from Chinese to English must not make it new.
    write(tmp_path, "siteA/_posts/2020-01-01-welcome.md", "---\ntitle: Welcome to A\n---\nA")
    post = "siteB/_posts/2020-01-01-welcome.md"
    write(tmp_path, post, "---\ntitle: 欢迎\n---\n欢迎来到我们的新闻网站，这里每天都有本地新闻。")
    run_import(tmp_path / "siteA")
    run_import(tmp_path / "siteB")
    assert Article.objects.get(title="欢迎").language == "zh-hans"
    write(tmp_path, post, "---\ntitle: 欢迎\n---\nWelcome to our news site, with local news every day.")
    out, _ = run_import(tmp_path / "siteB")
    assert "0 created, 1 updated" in out
    assert Article.objects.count() == 2
