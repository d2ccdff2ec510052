"""Retraction and takedown (issue 13): an editor holding `articles.retract_article` withdraws a
live story for good. Its addresses answer 410 Gone (the headline, the date and the note; or
nothing, for a takedown), it is on no reader page, and no edit, restore or import brings it back.
Every refusal is checked by forged requests, whatever the admin shows."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, OldAddress, Retraction
from tests.factories import ArticleFactory, AuthorFactory, Site, UserFactory
from tests.test_freshness import every_reader_page
from tests.utils import change_form, empty_content, logged_in, run_import, write

pytestmark = pytest.mark.django_db

NOTE = "Our reporting on the tender was wrong: the documents it relied on were forged."


def retract_url(article):
    return reverse("admin:articles_article_retract", args=[article.pk])


def retract(client, article, kind="retraction", note=NOTE):
    return client.post(retract_url(article), {"kind": kind, "note": note})


def state(article):
    article = Article.objects.get(pk=article.pk)
    return article.status, article.edit_version, Retraction.objects.filter(article=article).exists()


@pytest.fixture
def story():
    story = ArticleFactory(title="Mayor awards the harbour tender", tags=["tenders"])
    OldAddress.objects.create(path="/2019/05/30/old-tender-story", article=story)
    return story


def test_editors_may_retract_and_writers_may_not():
    editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    writers = Group.objects.get(name="Writers").permissions.values_list("codename", flat=True)
    assert "retract_article" in editors and "retract_article" not in writers


def test_an_editor_retracts_a_story_from_its_confirmation_page(editor, editor_user, client, story, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    change = editor.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    assert retract_url(story) in change  # the button, in the workflow box
    page = editor.get(retract_url(story))
    assert page.status_code == 200 and "410 Gone" in page.content.decode()
    assert Article.objects.get(pk=story.pk).status == Article.Status.PUBLISHED  # asking changes nothing

    response = retract(editor, story)
    assert response.status_code == 302
    record = Retraction.objects.get(article=story)
    assert (record.kind, record.note, record.retracted_by) == ("retraction", NOTE, editor_user)
    assert abs(record.retracted_at - timezone.now()) < dt.timedelta(minutes=1)
    assert Article.objects.get(pk=story.pk).status == Article.Status.RETRACTED

    for address in (story.get_absolute_url(), "/2019/05/30/old-tender-story/", "/2019/05/30/old-tender-story"):
        gone = client.get(address)
        html = gone.content.decode()
        assert gone.status_code == 410, address
        assert "Mayor awards the harbour tender" in html and NOTE in html
        assert '<meta name="robots" content="noindex">' in html
        assert timezone.localtime(story.published_at).strftime("%Y-%m-%d %H:%M CST") in html
        assert timezone.localtime(record.retracted_at).strftime("%Y-%m-%d %H:%M CST") in html
    # Editors get the 410 too: a retracted story is not previewed at its address.
    assert editor.get(story.get_absolute_url()).status_code == 410
    # Recorded in its history, with who and the note; and on its change form.
    latest = Version.objects.get_for_object(story).select_related("revision__user").first()
    assert latest.revision.user == editor_user and latest.revision.get_comment() == f"Retracted: {NOTE}"
    history = editor.get(reverse("admin:articles_article_history", args=[story.pk])).content.decode()
    assert f"Retracted: {NOTE}" in history
    change = editor.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    assert 'id="retraction-record"' in change and NOTE in change and retract_url(story) not in change


def test_the_change_list_filters_retracted_stories(editor, story):
    other = ArticleFactory(title="Ferry fares rise")
    retract(editor, story)
    listed = editor.get(reverse("admin:articles_article_changelist"), {"state": "retracted"}).content.decode()
    assert "Mayor awards the harbour tender" in listed and other.title not in listed
    live = editor.get(reverse("admin:articles_article_changelist"), {"state": "live"}).content.decode()
    assert "Mayor awards the harbour tender" not in live and other.title in live


def test_a_takedown_answers_410_with_nothing_at_all(editor, client, story):
    assert retract(editor, story, kind="takedown", note="").status_code == 302
    assert Retraction.objects.get(article=story).is_takedown
    for address in (story.get_absolute_url(), "/2019/05/30/old-tender-story/"):
        gone = client.get(address)
        assert gone.status_code == 410 and gone.content == b""
    comment = Version.objects.get_for_object(story).first().revision.get_comment()
    assert comment == "Taken down."


def test_a_retraction_needs_a_note_for_readers(editor, story):
    response = retract(editor, story, note="  ")
    assert response.status_code == 200 and "the note is required" in response.content.decode()
    assert state(story)[0] == Article.Status.PUBLISHED and not Retraction.objects.exists()


def test_unpublishing_stays_a_404(editor, client, story):
    editor.post(reverse("admin:articles_article_workflow", args=[story.pk, "unpublish"]))
    assert Article.objects.get(pk=story.pk).status == Article.Status.DRAFT
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get("/2019/05/30/old-tender-story/").status_code == 404


def test_a_writer_posting_the_retract_action_is_refused_and_nothing_changes(writer, writer_user, story):
    story.bylines.update(author=writer_user.author)  # their own story, even
    before = state(story)
    assert writer.get(retract_url(story)).status_code == 403
    assert retract(writer, story).status_code == 403
    assert retract(writer, story, kind="takedown", note="").status_code == 403
    assert writer.post(reverse("admin:articles_article_workflow", args=[story.pk, "retract"])).status_code == 404
    assert state(story) == before


def test_an_editor_without_the_permission_is_refused_and_nothing_changes(client, story):
    """Publishing is not retracting: a login that may publish anything still may not retract."""
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "change_article", "publish_article"])
    )
    editor = logged_in(user)
    before = state(story)
    change = editor.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    assert retract_url(story) not in change
    assert retract(editor, story).status_code == 403
    assert state(story) == before
    assert client.get(story.get_absolute_url()).status_code == 200


def test_only_a_live_story_is_retracted(editor):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    response = retract(editor, draft)
    assert response.status_code == 302 and state(draft)[0] == Article.Status.DRAFT
    assert not Retraction.objects.exists()


def test_no_edit_undoes_a_retraction(editor, writer, writer_user, superuser, client, story):
    retract(editor, story)
    # The change form shows its state read-only; a forged status or date is ignored, not saved.
    for who in (editor, superuser):
        data = change_form(story, status="published", published_at_0="2030-01-01", slug="new-slug")
        response = who.post(reverse("admin:articles_article_change", args=[story.pk]), data)
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.status == Article.Status.RETRACTED and story.slug != "new-slug"
    assert client.get(story.get_absolute_url()).status_code == 410
    # A writer cannot even open it for a save, the story being no draft of theirs.
    story.bylines.update(author=writer_user.author)
    data = change_form(story, status="published", title="Cleared")
    assert writer.post(reverse("admin:articles_article_change", args=[story.pk]), data).status_code == 403
    assert state(story)[0] == Article.Status.RETRACTED
    # The workflow's buttons and bulk actions do not republish it either.
    for action in ("publish", "unpublish", "submit"):
        editor.post(reverse("admin:articles_article_workflow", args=[story.pk, action]))
    changelist = reverse("admin:articles_article_changelist")
    editor.post(changelist, {"action": "publish_selected", "_selected_action": [story.pk]})
    assert state(story)[0] == Article.Status.RETRACTED
    assert client.get(story.get_absolute_url()).status_code == 410


def test_the_change_form_cannot_retract_without_the_record(editor, story):
    """ "Retracted" is not a choice in the status field: only the retract action makes one."""
    data = change_form(story, status="retracted")
    response = editor.post(reverse("admin:articles_article_change", args=[story.pk]), data)
    assert response.status_code == 200 and "status" in response.context["adminform"].form.errors
    assert state(story)[0] == Article.Status.PUBLISHED


def test_a_restore_cannot_republish_a_retracted_story(editor, writer, writer_user, story, client):
    data = change_form(story, title="Mayor awards the harbour tender, says council")
    assert editor.post(reverse("admin:articles_article_change", args=[story.pk]), data).status_code == 302
    before_retraction = Version.objects.get_for_object(story).first()
    retract(editor, story)
    story.bylines.update(author=writer_user.author)

    restore = reverse("admin:articles_article_history_restore", args=[story.pk, before_retraction.pk])
    opened = Article.objects.get(pk=story.pk).edit_version
    assert writer.post(restore, {"opened_version": opened}).status_code == 403
    assert state(story)[0] == Article.Status.RETRACTED
    # An editor's restore brings back the words, not the publication.
    assert editor.post(restore, {"opened_version": opened}).status_code == 302
    assert state(story)[0] == Article.Status.RETRACTED and state(story)[2]
    assert client.get(story.get_absolute_url()).status_code == 410


def test_a_retracted_story_is_on_no_reader_page_even_through_the_page_cache(client, settings):
    """Every reader page is kept before the retraction; afterwards none shows the story, and
    the tag and author only it had are gone too."""
    settings.PAGE_CACHE_SECONDS = 300
    site = Site()
    gone = ArticleFactory(
        title="Quarry blast injures nine",
        category=site.city,
        authors=[AuthorFactory(name="Una Only")],
        tags=["harbour", "quarries"],
        published_at=timezone.now() - dt.timedelta(days=40, hours=3),  # between ferry and bridge
    )
    searches = [reverse("articles:search") + f"?q={word}" for word in ("quarry", "blast", "injures nine")]
    urls = [*every_reader_page(site), *searches]
    for url in urls:
        client.get(url)
    assert "Quarry blast injures nine" in client.get(site.ferry.get_absolute_url()).content.decode()  # older link
    assert client.get(urls[0]).get("X-Page-Cache") == "hit"

    workflow.retract(Article.objects.get(pk=gone.pk), UserFactory(groups=["Editors"]), "retraction", NOTE)

    address = gone.get_absolute_url()
    for url in urls:
        response = client.get(url)
        body = response.content.decode()
        if url == address:
            assert response.status_code == 410
            continue
        assert "Quarry blast" not in body and address not in body, url
        assert re.sub(r"%[0-9A-F]{2}", "", address) not in body
    for place in ("tag/quarries/", f"author/{gone.authors.get().slug}/"):
        assert client.get(f"/{place}").status_code == 404


def import_story(folder, text):
    path = write(folder, "tender.md", text)
    run_import(folder)
    return Article.objects.get(source_path=str(path.resolve())), path


STORY = "---\ntitle: Mayor awards the harbour tender\ndate: 2024-05-01\n---\nThe council chose the lowest bid."


@pytest.mark.parametrize("changed", [False, True], ids=["unchanged file", "changed file"])
def test_a_re_import_never_brings_a_retracted_story_back(tmp_path, editor, client, changed):
    article, path = import_story(tmp_path, STORY)
    retract(editor, article)
    when = timezone.localtime(Retraction.objects.get().retracted_at).strftime("%Y-%m-%d %H:%M %Z")
    if changed:
        write(tmp_path, "tender.md", STORY.replace("lowest bid", "lowest bid, again"))

    out, err = run_import(tmp_path, overwrite=True)
    assert f"{path.resolve()}: skipped, retracted on {when}\n" in err
    assert out.strip().endswith(
        "1 files: 0 created, 0 updated, 0 unchanged, 0 skipped, 1 kept retracted, 0 failed, 0 warnings"
    )
    article.refresh_from_db()
    assert article.status == Article.Status.RETRACTED and "again" not in article.body
    assert client.get(article.get_absolute_url()).status_code == 410


def test_a_re_import_reports_a_takedown_as_retracted(tmp_path, editor):
    article, path = import_story(tmp_path, STORY)
    retract(editor, article, kind="takedown", note="")
    _, err = run_import(tmp_path, overwrite=True, restore_deleted=True)
    assert re.search(rf"{re.escape(str(path.resolve()))}: skipped, retracted on .* \(taken down\)\n", err)
    assert Article.objects.get().status == Article.Status.RETRACTED


def test_chinese_interface_text(editor, client, story, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    change = editor.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    assert "撤稿或下架…" in change
    confirm = editor.get(retract_url(story)).content.decode()
    for text in (
        "读者在其网址看到的内容",
        "撤稿（在其网址显示说明）",
        "下架（不显示任何内容：因法律原因删除）",
        "撤回报道",
    ):
        assert text in confirm, text
    retract(editor, story, note="本报道有误，现予撤回。")
    html = client.get(story.get_absolute_url()).content.decode()
    for text in ("已撤稿：Mayor awards the harbour tender", "发布于", "撤稿原因", "本报道有误，现予撤回。"):
        assert text in html, text
    change = editor.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    assert "其网址均返回 410 Gone" in change and "致读者的说明：" in change


def test_a_retracted_address_costs_few_queries(editor, client, story, django_assert_num_queries):
    """The 410 is not kept by the page cache (only 200s are), so what each one costs is pinned:
    the reader lookup and the retracted story with its record; an old address, one lookup
    (after the article view's two, when it is shaped like an article's address)."""
    OldAddress.objects.create(path="/news/tender.html", article=story)
    retract(editor, story)
    client.get(story.get_absolute_url())  # the site header, kept
    with django_assert_num_queries(2):
        assert client.get(story.get_absolute_url()).status_code == 410
    with django_assert_num_queries(1):
        assert client.get("/news/tender.html").status_code == 410
    with django_assert_num_queries(3):
        assert client.get("/2019/05/30/old-tender-story/").status_code == 410


def test_a_chinese_storys_410_page_speaks_chinese(editor, client):
    story = ArticleFactory(title="渡轮停航", language="zh-hans")
    retract(editor, story)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 410
    assert '<html lang="zh-hans">' in response.content.decode()


def test_a_retracted_story_cannot_be_deleted_so_its_record_and_410_stay(editor, superuser, client, story):
    retract(editor, story)
    for who in (editor, superuser):
        who.post(reverse("admin:articles_article_delete", args=[story.pk]), {"post": "yes"})
        who.post(
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"},
        )
    assert Article.objects.filter(pk=story.pk).exists() and Retraction.objects.filter(article=story).exists()
    assert client.get(story.get_absolute_url()).status_code == 410


def test_a_restore_keeps_a_retracted_storys_address(editor, story, client):
    address = story.get_absolute_url()
    data = change_form(story, slug="an-older-slug")
    assert editor.post(reverse("admin:articles_article_change", args=[story.pk]), data).status_code == 302
    older = Version.objects.get_for_object(story).first()
    data = change_form(Article.objects.get(pk=story.pk), slug=story.slug)
    assert editor.post(reverse("admin:articles_article_change", args=[story.pk]), data).status_code == 302
    retract(editor, story)
    restore = reverse("admin:articles_article_history_restore", args=[story.pk, older.pk])
    opened = Article.objects.get(pk=story.pk).edit_version
    assert editor.post(restore, {"opened_version": opened}).status_code == 302
    assert Article.objects.get(pk=story.pk).slug == story.slug
    assert client.get(address).status_code == 410


def test_a_restore_puts_no_lead_image_without_alt_text_on_a_live_story(editor, client):
    story = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    data = change_form(story, lead_image_url="https://images.example/no-alt.jpg", lead_image_alt="")
    assert editor.post(reverse("admin:articles_article_change", args=[story.pk]), data).status_code == 302
    without_alt = Version.objects.get_for_object(story).first()
    Article.objects.filter(pk=story.pk).update(
        lead_image_url="https://images.example/swans.jpg",
        lead_image_alt="Two swans",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(hours=1),
    )
    restore = reverse("admin:articles_article_history_restore", args=[story.pk, without_alt.pk])
    opened = Article.objects.get(pk=story.pk).edit_version
    response = editor.post(restore, {"opened_version": opened}, follow=True)
    story.refresh_from_db()
    assert (story.lead_image_url, story.lead_image_alt) == ("https://images.example/swans.jpg", "Two swans")
    assert "keeps its current lead image" in response.content.decode()
    assert 'alt="Two swans"' in client.get(story.get_absolute_url()).content.decode()


def test_a_retracted_storys_form_asks_nothing_before_publishing(editor, story):
    Article.objects.filter(pk=story.pk).update(body='<p><img src="https://images.example/a.jpg"></p>')
    change = reverse("admin:articles_article_change", args=[story.pk])
    assert "Before publishing" in editor.get(change).content.decode()  # a live story's body image lacks alt
    retract(editor, story)
    assert "Before publishing" not in editor.get(change).content.decode()  # it is never published again


def exported_story(folder, article):
    """The front-matter file `export_articles` wrote for `article`."""
    return next(folder.glob(f"{article.pk:06d}-*/index.md")).read_text(encoding="utf-8")


def test_an_export_keeps_the_retraction_and_a_fresh_import_brings_the_story_back_retracted(
    tmp_path, editor, editor_user, client, story
):
    """The export is the operators' backup: a retracted story is written whole, with its record
    (kind, time, note, who), and `draft: true` for any other tool. Imported into an empty site
    (even with --status published) it comes back retracted, record and all: 410 at every
    address, on no reader page; a takedown still answers nothing. Run again, it is kept retracted."""
    taken = ArticleFactory(title="Councillor's home address", body_source="Legal removal: the words are kept.")
    ArticleFactory(title="Ferry fares rise")
    retract(editor, story)
    retract(editor, taken, kind="takedown", note="")
    records = {r.article.title: (r.kind, r.note, r.retracted_at, r.retracted_by) for r in Retraction.objects.all()}
    bodies = dict(Article.objects.values_list("title", "body_source"))
    call_command("export_articles", str(tmp_path / "export"), verbosity=0)
    written = exported_story(tmp_path / "export", story)
    assert "\ndraft: true\nretracted:\n  kind: retraction\n" in written and NOTE in written
    assert f"  by: {editor_user.get_username()}\n" in written

    empty_content()
    out, _ = run_import(tmp_path / "export", status="published")
    assert "3 created" in out
    for title, (kind, note, when, by) in records.items():
        article = Article.objects.get(title=title)
        assert article.status == Article.Status.RETRACTED and article.body_source == bodies[title]
        assert (article.retraction.kind, article.retraction.note, article.retraction.retracted_at) == (kind, note, when)
        assert article.retraction.retracted_by == by
    article = Article.objects.get(title=story.title)
    for address in (article.get_absolute_url(), "/2019/05/30/old-tender-story/"):
        gone = client.get(address)
        assert gone.status_code == 410 and story.title in gone.content.decode() and NOTE in gone.content.decode()
    gone = client.get(Article.objects.get(title=taken.title).get_absolute_url())
    assert gone.status_code == 410 and gone.content == b""
    pages = [reverse("articles:home"), reverse("articles:list"), reverse("articles:feed"), "/tag/tenders/"]
    for url in [*pages, reverse("articles:search") + "?q=tender", "/sitemaps/articles.xml"]:
        response = client.get(url)
        assert story.title not in response.content.decode() and taken.title not in response.content.decode(), url
    assert "Ferry fares rise" in client.get(reverse("articles:home")).content.decode()

    out, err = run_import(tmp_path / "export", overwrite=True)
    assert "2 kept retracted" in out and "skipped, retracted on" in err and Retraction.objects.count() == 2


def test_an_exported_retraction_meets_the_story_it_was_exported_from(tmp_path, editor, client):
    """On a site that has the story retracted, the export's file is reported retracted, as any
    file of it is; on one where the story is live, no file retracts it (an editor does): skipped,
    saying why, and the story stays as it was."""
    original = "---\nid: tender-1\n" + STORY.removeprefix("---\n")
    article, path = import_story(tmp_path / "site", original)
    retract(editor, article)
    call_command("export_articles", str(tmp_path / "export"), verbosity=0)
    path.unlink()  # the archive is gone: the export is what is left of it
    out, err = run_import(tmp_path / "export")
    assert "1 kept retracted" in out and "skipped, retracted on" in err
    assert Article.objects.count() == 1

    empty_content()
    live, path = import_story(tmp_path / "site", original)
    path.unlink()
    out, err = run_import(tmp_path / "export")
    assert "1 skipped" in out
    assert "skipped: its file says the story was retracted, and here it is not: an import never retracts" in err
    assert state(live)[0] == Article.Status.PUBLISHED and not Retraction.objects.exists()
    assert client.get(live.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("yes", "retracted: 'yes' is not a retraction record: kind, at and note"),
        ("{kind: recall, at: 2026-12-01T10:00:00Z, note: N}", "retracted: unknown kind 'recall'"),
        ("{kind: retraction, at: soon, note: N}", "retracted: unreadable time 'soon' (at)"),
        ("{kind: retraction, at: 2026-12-01T10:00:00Z}", "retracted: a retraction needs its note for readers"),
    ],
)
def test_a_file_saying_it_is_retracted_unreadably_fails_and_reaches_no_reader(tmp_path, record, reason):
    path = write(tmp_path, "tender.md", f"---\ntitle: Tender\ndate: 2024-05-01\nretracted: {record}\n---\nB")
    err = StringIO()
    with pytest.raises(CommandError, match="1 failed"):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert f"{path.resolve()}: {reason}" in err.getvalue()
    assert not Article.objects.exists()


def test_a_retracted_false_flag_is_kept_as_extra_data(tmp_path):
    write(tmp_path, "tender.md", "---\ntitle: Tender\ndate: 2024-05-01\nretracted: false\n---\nB")
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED and article.extra["retracted"] is False
