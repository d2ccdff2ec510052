"""Roles, the editorial workflow and the editors' change list, through the admin's own URLs."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.utils import article_form

pytestmark = pytest.mark.django_db

Status = Article.Status
CHANGELIST = "admin:articles_article_changelist"


def own_article(user, **kwargs):
    """An article whose byline carries `user`'s Author."""
    return ArticleFactory(authors=[user.author], **kwargs)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def edit_form(article, **fields):
    """The change form's data as posted from a form opened now (it carries the article's version)."""
    return article_form(opened_version=str(Article.objects.get(pk=article.pk).edit_version), **fields)


def step_url(article, action):
    return reverse("admin:articles_article_workflow", args=[article.pk, action])


def changelist(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return response


def titles(response):
    return [article.title for article in response.context["cl"].result_list]


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def frozen_at(when):
    return mock.patch("django.utils.timezone.now", return_value=when)


# --- roles -----------------------------------------------------------------------------------


def test_migration_makes_the_two_groups():
    writers = Group.objects.get(name="Writers").permissions.values_list("codename", flat=True)
    editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    assert {"add_article", "change_article", "view_author", "view_category", "view_tag"} <= set(writers)
    assert not {"publish_article", "delete_article"} & set(writers)
    assert {"publish_article", "delete_article", "change_author", "change_category", "change_tag"} <= set(editors)


def test_writer_creates_a_draft_under_their_byline_even_when_posting_published(writer, writer_user):
    """A forged status and time in the add form are ignored: the article is a draft."""
    data = article_form(title="My first story", status="published", published_at_0="2020-01-01", featured="on")
    data["published_at_1"] = "10:00:00"
    response = writer.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(title="My first story")
    assert (article.status, article.published_at, article.featured) == (Status.DRAFT, None, False)
    assert article.created_by == writer_user
    assert article.byline == [writer_user.author]


def test_add_form_starts_the_byline_with_the_users_author(writer, writer_user):
    html = writer.get(reverse("admin:articles_article_add")).content.decode()
    assert f'<option value="{writer_user.author.pk}" selected>Wen Writer</option>' in html


def test_a_byline_named_in_the_add_form_is_kept(editor, editor_user):
    """The user's Author is the default, not forced on a story written for someone else."""
    AuthorFactory(name="Eda Editor", user=editor_user)
    guest = AuthorFactory(name="Guest")
    data = article_form(
        title="Guest column",
        **{"bylines-TOTAL_FORMS": "1", "bylines-0-author": str(guest.pk), "bylines-0-position": "0"},
    )
    assert editor.post(reverse("admin:articles_article_add"), data).status_code == 302
    assert Article.objects.get(title="Guest column").byline == [guest]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_writer_edits_their_own_unpublished_article(writer, writer_user, status):
    article = own_article(writer_user, status=status, published_at=None)
    response = writer.post(change_url(article), edit_form(article, title="Better headline", status="published"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("Better headline", status)


def test_writer_edits_an_article_they_created_without_being_in_its_byline(writer, writer_user):
    article = ArticleFactory(status=Status.DRAFT, published_at=None, created_by=writer_user)
    assert writer.post(change_url(article), edit_form(article, title="Mine after all")).status_code == 302
    article.refresh_from_db()
    assert article.title == "Mine after all"


def test_writer_cannot_edit_someone_elses_draft(writer):
    article = ArticleFactory(title="Not yours", status=Status.DRAFT, published_at=None)
    assert writer.get(change_url(article)).status_code == 302  # "doesn't exist", back to the index
    writer.post(change_url(article), edit_form(article, title="Hijacked"))
    article.refresh_from_db()
    assert article.title == "Not yours"


def test_writer_cannot_edit_their_own_published_article(writer, writer_user):
    article = own_article(writer_user, title="Out there")
    page = writer.get(change_url(article))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read-only
    assert writer.post(change_url(article), edit_form(article, title="Quietly changed")).status_code == 403
    article.refresh_from_db()
    assert article.title == "Out there"


def test_writer_cannot_delete(writer, writer_user):
    article = own_article(writer_user, status=Status.DRAFT, published_at=None)
    assert writer.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("publish", {}),
        ("schedule", {"publish_at": "2099-01-01T10:00"}),
        ("unpublish", {}),
        ("send_back", {"note": "no"}),
    ],
)
def test_writer_cannot_take_editors_steps_by_url(writer, writer_user, action, data):
    status = Status.PUBLISHED if action == "unpublish" else Status.REVIEW
    article = own_article(writer_user, status=status)
    before = Article.objects.values().get(pk=article.pk)
    assert writer.post(step_url(article, action), data).status_code == 403
    assert Article.objects.values().get(pk=article.pk) == before


@pytest.mark.parametrize("action", ["publish_selected", "unpublish_selected", "move_to_category", "add_tag"])
def test_writer_gets_no_bulk_actions_even_by_forged_post(writer, writer_user, action):
    article = own_article(writer_user, status=Status.DRAFT, published_at=None)
    other = ArticleFactory(title="Someone else's")
    assert action not in changelist(writer).content.decode()
    before = list(Article.objects.values())
    target = CategoryFactory()
    data = {"action": action, "index": "0", "_selected_action": [article.pk, other.pk], "apply": "1"}
    response = writer.post(reverse(CHANGELIST), {**data, "name": "x", "category": target.pk})
    assert response.status_code == 200  # the list again, nothing done
    assert list(Article.objects.values()) == before
    assert not Article.objects.filter(tagged_items__isnull=False).exists()


def test_writer_sees_published_work_and_their_own(writer, writer_user):
    own_article(writer_user, title="My draft", status=Status.DRAFT, published_at=None)
    ArticleFactory(title="Colleague's draft", status=Status.DRAFT, published_at=None)
    ArticleFactory(title="Colleague's embargo", published_at=timezone.now() + dt.timedelta(hours=1))
    ArticleFactory(title="Live story")
    assert sorted(titles(changelist(writer))) == ["Live story", "My draft"]


def test_writer_uses_the_autocompletes(writer):
    AuthorFactory(name="Zhou Wei")
    CategoryFactory(name="Harbour")
    ArticleFactory(tags=["ferries"])
    url = reverse("admin:autocomplete")
    authors = writer.get(url, {"term": "Zhou", "app_label": "articles", "model_name": "byline", "field_name": "author"})
    sections = writer.get(
        url, {"term": "Harb", "app_label": "articles", "model_name": "article", "field_name": "category"}
    )
    tags = writer.get(reverse("admin:articles_article_tag_autocomplete"), {"term": "ferr"})
    assert [r["text"] for r in authors.json()["results"]] == ["Zhou Wei"]
    assert [r["text"] for r in sections.json()["results"]] == ["Harbour"]
    assert [r["text"] for r in tags.json()["results"]] == ["ferries"]


def test_writer_sees_only_submit_for_review(writer, writer_user):
    article = own_article(writer_user, status=Status.DRAFT, published_at=None)
    html = writer.get(change_url(article)).content.decode()
    assert "Submit for review" in html
    for button in ("Publish now", "Schedule", "Unpublish", "Send back to draft"):
        assert button not in html


def test_editor_changes_anyones_published_article(editor):
    article = ArticleFactory(title="Typo in headlne")
    response = editor.post(change_url(article), edit_form(article, title="Typo in headline"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Typo in headline" and article.is_published()


# --- workflow --------------------------------------------------------------------------------


def test_submit_send_back_with_a_note_and_resubmit(writer, writer_user, editor):
    article = own_article(writer_user, status=Status.DRAFT, published_at=None)
    response = writer.post(step_url(article, "submit"), follow=True)
    assert f"“{article.title}” was submitted for review." in messages_of(response)
    article.refresh_from_db()
    assert article.status == Status.REVIEW

    response = editor.post(step_url(article, "send_back"), {"note": "Check the ferry's name."}, follow=True)
    assert f"“{article.title}” was sent back to draft with your note." in messages_of(response)
    article.refresh_from_db()
    assert (article.status, article.review_note) == (Status.DRAFT, "Check the ferry's name.")
    html = writer.get(change_url(article)).content.decode()
    assert re.search(r'id="review-note">\s*<strong>Sent back by an editor:</strong> Check the ferry&#x27;s name.', html)

    writer.post(step_url(article, "submit"))
    article.refresh_from_db()
    assert (article.status, article.review_note) == (Status.REVIEW, "")
    assert "review-note" not in writer.get(change_url(article)).content.decode()


def test_sending_back_needs_a_note(editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    response = editor.post(step_url(article, "send_back"), {"note": "  "}, follow=True)
    assert "Say what the writer should change: the note is required." in messages_of(response)
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_steps_are_post_only(editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    assert editor.get(step_url(article, "publish")).status_code == 405
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_steps_need_the_csrf_token(editor_user):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_user)
    assert client.post(step_url(article, "publish")).status_code == 403
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_publish_unpublish_republish_keeps_the_first_publication_time(editor, client):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    response = editor.post(step_url(article, "publish"), follow=True)
    assert f"“{article.title}” is now live." in messages_of(response)
    article.refresh_from_db()
    first = article.published_at
    assert article.is_published() and client.get(article.get_absolute_url()).status_code == 200

    response = editor.post(step_url(article, "unpublish"), follow=True)
    assert f"“{article.title}” was unpublished and is a draft again." in messages_of(response)
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.published_at == first
    assert client.get(article.get_absolute_url()).status_code == 404

    with frozen_at(timezone.now() + dt.timedelta(days=2)):
        editor.post(step_url(article, "publish"))
    article.refresh_from_db()
    assert article.is_published() and article.published_at == first


def test_publishing_an_already_live_article_is_refused(editor):
    article = ArticleFactory()
    response = editor.post(step_url(article, "publish"), follow=True)
    assert f"“{article.title}” is already live." in messages_of(response)


def test_saving_the_change_form_keeps_the_publication_time(editor):
    """The form shows whole seconds; re-posting them must not move the stored time."""
    when = timezone.now().replace(microsecond=123456) - dt.timedelta(days=3)
    article = ArticleFactory(published_at=when)
    shown = timezone.localtime(when)
    data = edit_form(
        article, title="Edited later", published_at_0=f"{shown:%Y-%m-%d}", published_at_1=f"{shown:%H:%M:%S}"
    )
    assert editor.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "Edited later" and article.published_at == when


def test_schedule_reads_the_time_in_the_sites_zone(editor, settings, client):
    settings.TIME_ZONE = "Asia/Shanghai"
    article = ArticleFactory(title="Embargoed", status=Status.REVIEW, published_at=None)
    assert "Publication time (Asia/Shanghai)" in editor.get(change_url(article)).content.decode()
    response = editor.post(step_url(article, "schedule"), {"publish_at": "2099-03-01T08:00"}, follow=True)
    assert "“Embargoed” is scheduled for 2099-03-01 08:00 CST." in messages_of(response)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_at == dt.datetime(2099, 3, 1, 0, 0, tzinfo=dt.UTC)
    assert article.state_label == "Scheduled for 2099-03-01 08:00 CST"
    assert client.get(article.get_absolute_url()).status_code == 404


def test_schedule_in_the_past_is_refused(editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    response = editor.post(step_url(article, "schedule"), {"publish_at": "2001-01-01T08:00"}, follow=True)
    assert "The publication time must be in the future." in messages_of(response)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.REVIEW, None)


def test_scheduled_article_appears_by_itself(editor, client, settings):
    """No cron: readers' lists (page cache on) show it once its time has come."""
    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory(title="Midnight story", status=Status.REVIEW, published_at=None)
    when = (timezone.now() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    editor.post(step_url(article, "schedule"), {"publish_at": f"{timezone.localtime(when):%Y-%m-%dT%H:%M}"})
    assert "Midnight story" not in client.get(reverse("articles:list")).content.decode()
    assert client.get(reverse("articles:list"))["X-Page-Cache"] == "hit"
    with frozen_at(when + dt.timedelta(minutes=1)):
        assert "Midnight story" in client.get(reverse("articles:list")).content.decode()
        assert client.get(article.get_absolute_url()).status_code == 200


# --- preview ---------------------------------------------------------------------------------


def test_change_form_links_to_a_preview_in_a_new_tab(writer, writer_user):
    article = own_article(writer_user, status=Status.DRAFT, published_at=None)
    html = writer.get(change_url(article)).content.decode()
    assert f'<a href="{article.get_absolute_url()}" target="_blank" rel="noopener">Preview</a>' in html


def test_writer_previews_their_own_draft_only(writer, writer_user, editor):
    mine = own_article(writer_user, status=Status.DRAFT, published_at=None)
    theirs = ArticleFactory(status=Status.REVIEW, published_at=None)
    response = writer.get(mine.get_absolute_url())
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert writer.get(theirs.get_absolute_url()).status_code == 404
    assert editor.get(theirs.get_absolute_url()).status_code == 200


# --- the change list -------------------------------------------------------------------------


def test_change_list_columns(editor):
    top = CategoryFactory(name="News")
    ArticleFactory(
        title="Scheduled story",
        published_at=dt.datetime(2099, 5, 1, 9, 30, tzinfo=dt.UTC),
        category=CategoryFactory(name="Harbour", parent=top),
        authors=[AuthorFactory(name="Ann"), AuthorFactory(name="Bo")],
        lead_image_url="https://images.example/ferry.jpg",
    )
    ArticleFactory(title="Plain story", lead_image_url="")
    html = changelist(editor).content.decode()
    assert "Scheduled for 2099-05-01 09:30 UTC" in html
    assert "Ann, Bo" in html
    assert "News / Harbour" in html
    assert (
        '<img src="https://images.example/ferry.jpg" width="60" alt="" loading="lazy" referrerpolicy="no-referrer">'
        in html
    )
    assert html.count('<td class="field-thumbnail">—</td>') == 1


def test_state_filter(editor):
    ArticleFactory(title="Draft", status=Status.DRAFT, published_at=None)
    ArticleFactory(title="Review", status=Status.REVIEW, published_at=None)
    ArticleFactory(title="Scheduled", published_at=timezone.now() + dt.timedelta(days=1))
    ArticleFactory(title="Live")
    found = {state: titles(changelist(editor, state=state)) for state in ("draft", "review", "scheduled", "live")}
    assert found == {"draft": ["Draft"], "review": ["Review"], "scheduled": ["Scheduled"], "live": ["Live"]}


def test_section_filter_includes_subsections(editor):
    news = CategoryFactory(name="News")
    harbour = CategoryFactory(name="Harbour", parent=news)
    ArticleFactory(title="Top", category=news)
    ArticleFactory(title="Deep", category=CategoryFactory(name="Ferries", parent=harbour))
    ArticleFactory(title="Elsewhere", category=CategoryFactory(name="Newsletters"))
    assert sorted(titles(changelist(editor, section=news.pk))) == ["Deep", "Top"]
    assert titles(changelist(editor, section=harbour.pk)) == ["Deep"]


def test_author_and_tag_filters(editor):
    zhou = AuthorFactory(name="Zhou")
    ArticleFactory(title="By Zhou", authors=[zhou, AuthorFactory()], tags=["ferries"])
    ArticleFactory(title="By others", tags=["sport"])
    assert titles(changelist(editor, author=zhou.pk)) == ["By Zhou"]
    tag = Article.objects.get(title="By others").tags.get()
    assert titles(changelist(editor, tag=tag.pk)) == ["By others"]


def test_search_by_author_name_lists_each_article_once(editor):
    ArticleFactory(title="Two Zhous", authors=[AuthorFactory(name="Zhou Wei"), AuthorFactory(name="Zhou Li")])
    ArticleFactory(title="Nobody", authors=[AuthorFactory(name="Adams")])
    ArticleFactory(title="Zhou's ferry", authors=[AuthorFactory(name="Adams")], body_source="By the harbour.")
    assert sorted(titles(changelist(editor, q="zhou"))) == ["Two Zhous", "Zhou's ferry"]
    assert titles(changelist(editor, q="zhou harbour")) == ["Zhou's ferry"]  # every word must match
    assert titles(changelist(editor, q='"zhou wei"')) == ["Two Zhous"]


def test_search_finds_words_in_the_text_chinese_included(editor):
    ArticleFactory(title="海港市新渡轮下水", body_source="The ferry sails at dawn.")
    ArticleFactory(title="Other news")
    assert titles(changelist(editor, q="渡轮")) == ["海港市新渡轮下水"]
    assert titles(changelist(editor, q="sail")) == ["海港市新渡轮下水"]  # words match as prefixes


def select(client, action, articles, follow=True, **extra):
    data = {"action": action, "index": "0", "_selected_action": [a.pk for a in articles], **extra}
    return client.post(reverse(CHANGELIST), data, follow=follow)


def test_bulk_publish_and_unpublish_report_counts(editor, client):
    drafts = [ArticleFactory(status=Status.REVIEW, published_at=None) for _ in range(2)]
    live = ArticleFactory()
    first_time = live.published_at
    response = select(editor, "publish_selected", [*drafts, live])
    assert "2 articles published. 1 left as it was." in messages_of(response)
    assert Article.objects.count() == 3
    assert all(client.get(a.get_absolute_url()).status_code == 200 for a in Article.objects.all())

    response = select(editor, "unpublish_selected", [*drafts, live])
    assert "3 articles unpublished." in messages_of(response)
    assert not Article.objects.published().exists()
    live.refresh_from_db()
    assert live.published_at == first_time


def test_bulk_move_to_section_asks_then_moves_and_refreshes_pages(editor, client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    target = CategoryFactory(name="Ferries")
    articles = [ArticleFactory(title=f"Moving {i}") for i in range(2)]
    stay = ArticleFactory(title="Staying")
    assert "Moving 0" not in client.get(target.get_absolute_url()).content.decode()  # cached, empty section

    page = select(editor, "move_to_category", articles, follow=False)
    assert page.status_code == 200 and "Move articles to a section" in page.content.decode()
    assert Article.objects.filter(category=target).count() == 0

    response = select(editor, "move_to_category", articles, apply="1", category=target.pk)
    assert "2 articles moved to Ferries." in messages_of(response)
    assert set(Article.objects.filter(category=target)) == set(articles)
    stay.refresh_from_db()
    assert stay.category != target
    assert "Moving 0" in client.get(target.get_absolute_url()).content.decode()


def test_bulk_add_tag_counts_only_articles_that_lacked_it(editor):
    tagged = ArticleFactory(tags=["ferries"])
    untagged = ArticleFactory()
    page = select(editor, "add_tag", [tagged, untagged], follow=False)
    assert "Add a tag to articles" in page.content.decode()
    response = select(editor, "add_tag", [tagged, untagged], apply="1", name="  ferries ")
    assert "Tag “ferries” added to 1 article." in messages_of(response)
    assert list(untagged.tags.names()) == ["ferries"]
    assert list(tagged.tags.names()) == ["ferries"]


def test_a_form_opened_before_a_bulk_change_cannot_undo_it(editor):
    """Moving or tagging in bulk counts as an edit: a change form opened before it is refused,
    so saving it does not put the old section or tags back."""
    old, new = CategoryFactory(name="City"), CategoryFactory(name="Ferries")
    article = ArticleFactory(category=old, title="Night ferry")
    stale = edit_form(article, title="Night ferry, corrected", category=str(old.pk))
    select(editor, "move_to_category", [article], apply="1", category=new.pk)
    select(editor, "add_tag", [article], apply="1", name="breaking")
    response = editor.post(change_url(article), stale)
    assert response.status_code == 200 and "your changes were not saved" in response.content.decode()
    article.refresh_from_db()
    assert article.category == new and list(article.tags.names()) == ["breaking"]
    assert article.title == "Night ferry"


# --- query counts ----------------------------------------------------------------------------


def fill(rows):
    sections = [CategoryFactory(name="Top")]
    sections.append(CategoryFactory(name="Desk", parent=sections[0]))
    authors = [AuthorFactory() for _ in range(3)]
    for i in range(rows):
        ArticleFactory(
            category=sections[i % 2],
            authors=authors[: 1 + i % 3],
            tags=[f"topic {i % 4}"],
            lead_image_url=f"https://images.example/{i}.jpg",
        )


@pytest.mark.parametrize("rows", [10, 100])
# A first visit: session, user, permissions (2), filter choices (3), count, rows, bylines, date
# range, date hierarchy, and when the next scheduled story goes live (the cache keys of the last
# ones, which later visits take from the cache).
@pytest.mark.parametrize(("role", "queries"), [("editor", 13), ("writer", 13)])
def test_change_list_queries_do_not_grow_with_rows(request, django_assert_num_queries, rows, role, queries):
    client = request.getfixturevalue(role)
    fill(rows)
    with django_assert_num_queries(queries):
        response = client.get(reverse(CHANGELIST), {"all": ""})
    assert response.content.decode().count("referrerpolicy") == rows


def test_writers_pick_existing_tags_but_only_editors_make_new_ones(writer, writer_user, editor):
    """A tag has a public page once a published story carries it: a writer's form offers only
    existing tags, and a new name posted anyway is refused (issue 12)."""
    from articles.models import Tag

    ArticleFactory(tags=["Ferries"])
    assert 'data-tags="true"' not in writer.get(reverse("admin:articles_article_add")).content.decode()
    assert 'data-tags="true"' in editor.get(reverse("admin:articles_article_add")).content.decode()
    response = writer.post(
        reverse("admin:articles_article_add"), article_form(title="Mine", tags=["ferries", "Secret"])
    )
    assert response.status_code == 200
    assert "Only editors can make new tags: pick existing ones instead of “Secret”." in response.content.decode()
    assert not Article.objects.filter(title="Mine").exists() and not Tag.objects.filter(name__iexact="secret").exists()
    response = writer.post(reverse("admin:articles_article_add"), article_form(title="Mine", tags=["ferries"]))
    assert response.status_code == 302 and list(Article.objects.get(title="Mine").tags.names()) == ["Ferries"]
    response = editor.post(reverse("admin:articles_article_add"), article_form(title="Theirs", tags=["Secret"]))
    assert response.status_code == 302 and list(Article.objects.get(title="Theirs").tags.names()) == ["Secret"]
