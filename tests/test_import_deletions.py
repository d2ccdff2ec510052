"""Deleted means deleted: an imported article an editor deleted stays deleted when the same
import runs again, reported as such, until the operator asks for it back (--restore-deleted)."""

import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, DeletedArticle
from tests.utils import run_import, write

pytestmark = pytest.mark.django_db

STORY = "---\ntitle: Ferry fares rise\ndate: 2024-05-01\n---\nThe harbour ferry costs more from Monday."


def imported(folder, name="a.md", text=STORY):
    path = write(folder, name, text)
    run_import(folder)
    return Article.objects.get(source_path=str(path.resolve())), path


def test_an_article_deleted_in_the_admin_stays_deleted(tmp_path, editor, editor_user, client):
    article, path = imported(tmp_path)
    address = article.get_absolute_url()
    response = editor.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.exists()

    out, err = run_import(tmp_path)
    today = timezone.localtime().strftime("%Y-%m-%d")
    assert f"{path.resolve()}: skipped, deleted by {editor_user.username} on {today}" in err
    assert "--restore-deleted brings it back" in err
    assert out.strip().endswith(
        "1 files: 0 created, 0 updated, 0 unchanged, 0 skipped, 1 kept deleted, 0 failed, 0 warnings"
    )
    assert not Article.objects.exists()
    assert client.get(address).status_code == 404


def test_articles_deleted_together_in_the_admin_stay_deleted(tmp_path, superuser):
    first, _ = imported(tmp_path, "a.md")
    second, _ = imported(tmp_path, "b.md", STORY.replace("Ferry fares rise", "Tram line opens"))
    changelist = reverse("admin:articles_article_changelist")
    data = {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}
    assert superuser.post(changelist, data).status_code == 302
    assert not Article.objects.exists()

    out, err = run_import(tmp_path)
    assert err.count(": skipped, deleted by admin on ") == 2
    assert "0 created" in out and "2 kept deleted" in out
    assert not Article.objects.exists()


def test_an_article_deleted_from_the_shell_stays_deleted(tmp_path):
    """Whatever deletes it: a queryset delete (the shell, a script) is remembered too, without a name."""
    article, path = imported(tmp_path)
    Article.objects.filter(pk=article.pk).delete()
    _, err = run_import(tmp_path)
    assert f"{path.resolve()}: skipped, deleted on " in err
    assert not Article.objects.exists()


def test_restore_deleted_brings_it_back_and_forgets_the_deletion(tmp_path, superuser):
    article, _ = imported(tmp_path)
    superuser.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert "1 kept deleted" in run_import(tmp_path)[0]
    out, _ = run_import(tmp_path, restore_deleted=True)
    assert "1 created" in out and "kept deleted" not in out
    restored = Article.objects.get()
    assert (restored.title, restored.is_published()) == ("Ferry fares rise", True)
    assert not DeletedArticle.objects.exists()
    out, _ = run_import(tmp_path)  # an ordinary run again: it is simply there
    assert "1 unchanged" in out and "kept deleted" not in out


def test_a_deleted_article_stays_deleted_when_its_archive_moves_or_its_file_changes(tmp_path):
    article, path = imported(tmp_path / "old")
    article.delete()
    shutil.move(tmp_path / "old", tmp_path / "new")
    out, _ = run_import(tmp_path / "new")
    assert "1 kept deleted" in out
    write(tmp_path / "new", "a.md", STORY + "\n\nA correction.")
    out, _ = run_import(tmp_path / "new")
    assert "1 kept deleted" in out and not Article.objects.exists()


def test_an_article_with_an_id_stays_deleted_under_another_file_name(tmp_path):
    text = "---\nid: story-17\ntitle: Ferry fares rise\n---\nB"
    article, path = imported(tmp_path, "a.md", text)
    article.delete()
    path.rename(tmp_path / "renamed.md")
    out, _ = run_import(tmp_path)
    assert "1 kept deleted" in out and not Article.objects.exists()


def test_another_sites_file_of_the_same_name_is_not_the_deleted_one(tmp_path):
    """Two sites both have `_posts/welcome.md`: deleting one site's article leaves the other's to import."""
    first, _ = imported(tmp_path / "one", "_posts/welcome.md")
    first.delete()
    write(tmp_path / "two", "_posts/welcome.md", STORY.replace("Ferry fares rise", "Welcome"))
    out, _ = run_import(tmp_path / "two")
    assert "1 created" in out and Article.objects.get().title == "Welcome"
    out, _ = run_import(tmp_path / "one")
    assert "1 kept deleted" in out


def test_a_new_article_in_a_deleted_articles_file_is_imported(tmp_path):
    """`a.md` held `id: story-17`, which was deleted; now it holds another article, `id: story-18`:
    that one is new, while the deleted id stays deleted wherever it turns up."""
    article, path = imported(tmp_path, "a.md", "---\nid: story-17\ntitle: Ferry fares rise\n---\nB")
    article.delete()
    write(tmp_path, "a.md", "---\nid: story-18\ntitle: Tram line opens\n---\nC")
    out, _ = run_import(tmp_path)
    assert "1 created" in out and "kept deleted" not in out
    assert Article.objects.get().title == "Tram line opens"
    write(tmp_path, "b.md", "---\nid: story-17\ntitle: Ferry fares rise\n---\nB")
    out, _ = run_import(tmp_path)
    assert "1 kept deleted" in out and Article.objects.count() == 1
