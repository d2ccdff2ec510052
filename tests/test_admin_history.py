"""Revisions, compare and restore, optimistic locking, protected deletes and tag merges in the admin."""

import datetime as dt
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Author, Category, Tag, TaggedArticle
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.utils import article_form, change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_superuser(client, django_user_model):
    """A second person signed in to the admin, in their own browser."""
    user = django_user_model.objects.create_superuser(
        "wang", "wang@example.com", "pw", first_name="Wang", last_name="Li"
    )
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def opened_version(client, article):
    """What the change form carries when this client opens it."""
    return client.get(change_url(article)).context["adminform"].form["opened_version"].value()


def edit(client, article, opened=None, authors=None, **fields):
    """Post the change form as an editor would: the article's values, changed by `fields`
    (`authors`: the byline instead of the saved one)."""
    data = change_form(article, opened_version=str(opened_version(client, article) if opened is None else opened))
    if authors is not None:
        bylines = list(article.bylines.all())
        data["bylines-TOTAL_FORMS"] = str(max(len(bylines), len(authors)))
        for n in range(max(len(bylines), len(authors))):
            if n < len(authors):
                data |= {f"bylines-{n}-author": str(authors[n].pk), f"bylines-{n}-position": str(n)}
            else:
                data[f"bylines-{n}-DELETE"] = "on"
    data.update(fields)
    return client.post(change_url(article), data)


def saved(response):
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def restore(client, article, version, **extra):
    """Confirm a restore as from its page, which carries the version it showed as "Now"."""
    url = reverse("admin:articles_article_history_restore", args=[article.pk, version.pk])
    data = {"opened_version": Article.objects.get(pk=article.pk).edit_version}
    return client.post(url, data, **extra)


def revisions(article):
    return list(Version.objects.get_for_object(article).select_related("revision__user"))


# Revisions


def test_each_admin_save_keeps_a_revision_with_who_when_and_what(superuser, admin_user):
    zhou, adams = AuthorFactory(name="Zhou"), AuthorFactory(name="Adams")
    saved(
        superuser.post(
            reverse("admin:articles_article_add"),
            article_form(
                title="Ferry launched",
                tags=["ferries"],
                **{"bylines-TOTAL_FORMS": "1", "bylines-0-author": str(zhou.pk), "bylines-0-position": "0"},
            ),
        )
    )
    article = Article.objects.get(title="Ferry launched")
    saved(edit(superuser, article, title="Second ferry launched", authors=[zhou, adams], tags=["ferries", "港口"]))

    newest, first = revisions(article)
    assert newest.revision.user == admin_user and first.revision.user == admin_user
    assert timezone.now() - newest.revision.date_created < dt.timedelta(minutes=1)
    assert first.revision.get_comment() == "Added. Added byline “Zhou on Ferry launched”."
    assert "Title" in newest.revision.get_comment()
    assert newest.field_dict["title"] == "Second ferry launched"
    # The revision holds the byline and tags as saved, not as they were before the inlines.
    stored = {v.content_type.model: v.object_repr for v in newest.revision.version_set.all()}
    assert set(stored) == {"article", "byline", "taggedarticle"}
    assert sorted(v.object_repr for v in newest.revision.version_set.filter(content_type__model="byline")) == [
        "Adams on Second ferry launched",
        "Zhou on Second ferry launched",
    ]


def test_history_lists_revisions_to_compare_and_restore(superuser):
    article = ArticleFactory(title="Harbour")
    saved(edit(superuser, article, title="Harbour opens"))
    saved(edit(superuser, article, title="Harbour opens late"))
    html = superuser.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert html.count('type="radio" name="old"') == 2
    assert "Changed Title" in html
    older = revisions(article)[1]
    assert reverse("admin:articles_article_history_restore", args=[article.pk, older.pk]) in html
    assert reverse("admin:articles_article_history_compare", args=[article.pk]) in html


def test_compare_shows_each_changed_field_with_old_and_new_and_escapes_the_body(superuser):
    zhou, adams = AuthorFactory(name="Zhou"), AuthorFactory(name="Adams")
    article = ArticleFactory(
        title="Vote today", authors=[zhou], tags=["politics"], body_source="Polls open at *eight*."
    )
    saved(edit(superuser, article))
    saved(
        edit(
            superuser,
            article,
            authors=[adams],
            title="Vote counted",
            body_source='Polls closed at *ten*.\n\n<script>alert("x")</script>',
            tags=["politics", "选举"],
        )
    )
    new, old = revisions(article)
    response = superuser.get(
        reverse("admin:articles_article_history_compare", args=[article.pk]), {"old": new.pk, "new": old.pk}
    )
    changes = {c.label: (c.old, c.new) for c in response.context["changes"]}
    assert set(changes) == {"Title", "Body", "Byline", "Tags"}  # unchanged fields are not listed
    assert changes["Title"] == ("Vote <del>today</del>", "Vote <ins>counted</ins>")
    assert changes["Byline"] == ("<del>Zhou</del>", "<ins>Adams</ins>")
    assert changes["Tags"] == ("politics", "politics, <ins>选举</ins>")
    html = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "<del>open</del>" in changes["Body"][0] and "<ins>closed</ins>" in changes["Body"][1]


def test_restore_brings_back_fields_byline_and_tags_as_a_new_revision(superuser, client):
    zhou, adams = AuthorFactory(name="Zhou"), AuthorFactory(name="Adams")
    article = ArticleFactory(
        title="Bridge opens", authors=[zhou], tags=["bridges", "交通"], body_source="Cars *cross*."
    )
    saved(edit(superuser, article))
    saved(
        edit(
            superuser, article, title="Bridge closes", body_source="Nobody crosses.", authors=[adams], tags=["closures"]
        )
    )
    Tag.objects.filter(name="交通").delete()  # merged away or deleted since: restored by name
    wanted = revisions(article)[1]

    confirm = superuser.get(reverse("admin:articles_article_history_restore", args=[article.pk, wanted.pk]))
    assert {c.label for c in confirm.context["changes"]} == {"Title", "Body", "Byline", "Tags"}
    saved(restore(superuser, article, wanted))

    article.refresh_from_db()
    assert article.title == "Bridge opens"
    assert article.body == "<p>Cars <em>cross</em>.</p>"  # rebuilt on save: revisions do not store it
    assert article.byline == [zhou]
    assert sorted(article.tags.names()) == ["bridges", "交通"]
    latest = revisions(article)[0]
    assert latest.revision.get_comment().startswith("Restored revision from")
    assert latest.field_dict["title"] == "Bridge opens"
    assert len(revisions(article)) == 3
    found = client.get(reverse("articles:search"), {"q": "cross"})  # the search index follows the restore
    assert "1 story matches" in found.content.decode()


def test_compare_and_restore_need_permission_to_change_the_article(client, django_user_model, superuser):
    article = ArticleFactory(title="Original")
    saved(edit(superuser, article, title="Edited"))
    saved(edit(superuser, article, title="Edited again"))
    first = revisions(article)[-1]
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    restore = reverse("admin:articles_article_history_restore", args=[article.pk, first.pk])
    assert client.post(restore).status_code == 403
    compare = reverse("admin:articles_article_history_compare", args=[article.pk])
    assert client.get(compare, {"old": first.pk, "new": revisions(article)[0].pk}).status_code == 403
    article.refresh_from_db()
    assert article.title == "Edited again"


def test_history_and_change_form_for_someone_who_may_only_view(client, django_user_model, superuser):
    article = ArticleFactory(title="Look only")
    saved(edit(superuser, article, title="Look, only"))
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert "Changed Title" in history and "Restore…" not in history
    form = client.get(change_url(article)).content.decode()
    assert "Opened version" not in form and "opened_version" not in form


# Optimistic locking


def test_a_stale_save_is_refused_and_nothing_is_overwritten(superuser, other_superuser):
    article = ArticleFactory(title="Storm warning")
    saved(edit(superuser, article))  # a first revision, for the link to compare from
    mine = opened_version(superuser, article)

    saved(edit(other_superuser, article, title="Storm warning lifted"))
    response = edit(superuser, article, opened=mine, title="Storm warning extended")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Wang Li changed this article at" in html
    assert "your changes were not saved" in html
    assert 'value="Storm warning extended"' in html  # the editor's input is still there to copy
    article.refresh_from_db()
    assert article.title == "Storm warning lifted"
    theirs, opened = revisions(article)[:2]
    link = (
        reverse("admin:articles_article_history_compare", args=[article.pk]) + f"?old={opened.pk}&amp;new={theirs.pk}"
    )
    assert link in html
    compare = other_superuser.get(link.replace("&amp;", "&"))
    assert [c.label for c in compare.context["changes"]] == ["Title"]


def test_a_save_from_the_current_version_goes_through_twice_in_a_row(superuser):
    article = ArticleFactory(title="Rain")
    saved(edit(superuser, article, title="Rain again"))
    saved(edit(superuser, article, title="Rain, third day"))  # reopened: no false alarm
    article.refresh_from_db()
    assert article.title == "Rain, third day"


def test_a_change_form_post_without_the_opened_version_is_refused(superuser):
    article = ArticleFactory(title="Kept")
    response = edit(superuser, article, opened="", title="Lost")
    assert response.status_code == 200
    assert "open the article again" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Kept"


def test_restore_keeps_the_current_slug_when_another_article_took_the_old_one(superuser):
    article = ArticleFactory(title="Flood", slug="flood")
    saved(edit(superuser, article))
    saved(edit(superuser, article, title="Flood recedes", slug="flood-recedes"))
    ArticleFactory(title="Another flood", slug="flood")
    first = revisions(article)[1]

    response = restore(superuser, article, first, follow=True)

    assert "Another article has that revision" in response.content.decode()
    article.refresh_from_db()
    assert (article.title, article.slug) == ("Flood", "flood-recedes")


def test_a_writers_restore_leaves_out_tags_deleted_since_and_says_so(superuser, writer, writer_user):
    """Restoring sets tags by name, which would make a deleted tag anew: only editors make tags (issue 12)."""
    article = ArticleFactory(title="Ferry", status="draft", published_at=None, created_by=writer_user)
    saved(edit(superuser, article, tags=["ferries", "Secret"]))
    saved(edit(superuser, article, tags=["ferries"]))
    Tag.objects.filter(name="Secret").delete()
    first = revisions(article)[1]

    response = restore(writer, article, first, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "That revision&#x27;s tags “Secret” were deleted since, and only editors make tags" in page
    assert sorted(article.tags.names()) == ["ferries"]
    assert not Tag.objects.filter(name__iexact="secret").exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_from_the_same_version_let_exactly_one_through(django_user_model, monkeypatch):
    """Both editors opened the same version and press save at once; each save is slowed down so
    that, without the row lock, both would pass the check before either wrote."""
    article = ArticleFactory(title="Race")
    users = [django_user_model.objects.create_superuser(f"superuser{n}", f"s{n}@example.com", "pw") for n in range(2)]
    clients = [Client() for _ in users]
    for client, user in zip(clients, users, strict=True):
        client.force_login(user)
    opened = opened_version(clients[0], article)
    slow_prepare = Article.prepare_for_save

    def prepare_slowly(self, *args, **kwargs):
        time.sleep(0.5)
        return slow_prepare(self, *args, **kwargs)

    monkeypatch.setattr(Article, "prepare_for_save", prepare_slowly)
    statuses = {}

    def save_as(n):
        try:
            statuses[n] = edit(
                clients[n], Article.objects.get(pk=article.pk), opened=opened, title=f"Saved by {n}"
            ).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save_as, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [200, 302]
    winner = next(n for n, status in statuses.items() if status == 302)
    article.refresh_from_db()
    assert article.title == f"Saved by {winner}"


# Deletes that would take articles with them


def test_deleting_an_author_still_credited_is_refused_with_the_reason(superuser):
    zhou = AuthorFactory(name="Zhou")
    for n in range(7):
        ArticleFactory(title=f"Report {n}", authors=[zhou])
    url = reverse("admin:articles_author_delete", args=[zhou.pk])

    html = superuser.get(url).content.decode()
    assert "Can’t delete Zhou: 7 articles still credit it — reassign them first." in html
    assert "Report 6" in html and "… and 2 more" in html
    assert "Yes, I’m sure" not in html

    superuser.post(url, {"post": "yes"})
    assert Author.objects.filter(pk=zhou.pk).exists()


def test_bulk_deleting_authors_refuses_those_still_credited(superuser):
    credited, unused = AuthorFactory(name="Zhou"), AuthorFactory(name="Nobody")
    ArticleFactory(title="Only story", authors=[credited])
    data = {"action": "delete_selected", "_selected_action": [credited.pk, unused.pk]}

    html = superuser.post(reverse("admin:articles_author_changelist"), data).content.decode()
    assert "Can’t delete Zhou: 1 article still credits it — reassign it first." in html
    assert "Only story" in html

    superuser.post(reverse("admin:articles_author_changelist"), {**data, "post": "yes"})
    assert set(Author.objects.values_list("name", flat=True)) == {"Zhou", "Nobody"}


def test_deleting_a_section_with_articles_or_subsections_is_refused_with_the_reason(superuser):
    news = CategoryFactory(name="News")
    CategoryFactory(name="World", parent=news)
    ArticleFactory(title="Filed here", category=news)

    html = superuser.get(reverse("admin:articles_category_delete", args=[news.pk])).content.decode()
    assert "Can’t delete News: 1 article is filed under it — move it to another section first." in html
    assert "Can’t delete News: 1 section sits under it — move or delete it first." in html
    assert "Filed here" in html and "News / World" in html

    superuser.post(reverse("admin:articles_category_delete", args=[news.pk]), {"post": "yes"})
    bulk = {"action": "delete_selected", "_selected_action": [news.pk], "post": "yes"}
    superuser.post(reverse("admin:articles_category_changelist"), bulk)
    assert Category.objects.filter(pk=news.pk).exists()


def test_an_unused_author_can_still_be_deleted(superuser):
    nobody = AuthorFactory(name="Nobody")
    response = superuser.post(reverse("admin:articles_author_delete", args=[nobody.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Author.objects.filter(pk=nobody.pk).exists()


# The section tree


def test_section_list_reads_as_the_tree_with_article_counts(superuser):
    media = CategoryFactory(name="新媒体", slug="xin")
    outlet = CategoryFactory(name="观察者网", slug="gcw", parent=media)
    CategoryFactory(name="头条", slug="tt", parent=outlet)
    CategoryFactory(name="Arts", slug="arts")
    ArticleFactory(category=outlet)
    ArticleFactory(category=outlet)

    response = superuser.get(reverse("admin:articles_category_changelist"))
    rows = [(c.name, c.path.count("/"), c.article_count) for c in response.context["cl"].result_list]
    assert rows == [("Arts", 0, 0), ("新媒体", 0, 0), ("观察者网", 1, 2), ("头条", 2, 0)]
    html = response.content.decode()
    assert '<span style="padding-left:3.0em" title="新媒体 / 观察者网 / 头条">头条</span>' in html


def test_article_form_shows_the_section_by_its_path(superuser):
    top = CategoryFactory(name="新媒体")
    article = ArticleFactory(category=CategoryFactory(name="头条", parent=top))
    html = superuser.get(change_url(article)).content.decode()
    assert f'<option value="{article.category_id}" selected>新媒体 / 头条</option>' in html


# Merging tags


def test_merging_tags_moves_every_article_once_and_deletes_the_others(superuser):
    both = ArticleFactory(title="Both", tags=["climate", "Climate change"])
    only_old = ArticleFactory(title="Old only", tags=["气候"])
    only_new = ArticleFactory(title="Kept", tags=["climate"])
    ArticleFactory(title="Untouched", tags=["sport"])
    merging = Tag.objects.filter(name__in=["climate", "Climate change", "气候"])
    changelist = reverse("admin:articles_tag_changelist")
    selected = {"action": "merge_selected_tags", "_selected_action": [t.pk for t in merging]}

    page = superuser.post(changelist, selected)
    assert page.status_code == 200
    assert page.context["survivor"].name == "climate"  # the most used is offered first
    survivor = Tag.objects.get(name="climate")
    response = superuser.post(changelist, {**selected, "post": "yes", "survivor": survivor.pk}, follow=True)

    assert "Articles moved to it: 1; already tagged with it: 1; tags deleted: 2." in response.content.decode()
    assert set(Tag.objects.values_list("name", flat=True)) == {"climate", "sport"}
    for article in (both, only_old, only_new):
        assert list(article.tags.names()) == ["climate"]
    assert TaggedArticle.objects.filter(tag=survivor).count() == 3


def test_merging_tags_makes_cached_pages_stale(superuser, settings, client):
    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory(title="Cached", tags=["old-name", "new-name"])
    tags = Tag.objects.filter(name__in=["old-name", "new-name"])
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    survivor = tags.get(name="new-name")
    data = {"action": "merge_selected_tags", "_selected_action": [t.pk for t in tags], "post": "yes"}
    superuser.post(reverse("admin:articles_tag_changelist"), {**data, "survivor": survivor.pk})

    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "old-name" not in response.content.decode()


def test_author_list_links_to_each_public_page(superuser, client):
    author = AuthorFactory(name="林")
    ArticleFactory(authors=[author])
    html = superuser.get(reverse("admin:articles_author_changelist")).content.decode()
    assert f'<a href="{author.get_absolute_url()}">view</a>' in html
    assert client.get(author.get_absolute_url()).status_code == 200


def test_restoring_a_revision_leaves_publication_as_it_is(superuser):
    """Publishing goes through the workflow buttons alone: restoring a revision saved while the
    story was live must not put an unpublished story back online (or take a live one down)."""
    article = ArticleFactory(title="Ferry sails", status=Article.Status.PUBLISHED)
    saved(edit(superuser, article, title="Ferry sails at dawn"))
    first = revisions(article)[-1]
    superuser.post(reverse("admin:articles_article_workflow", args=[article.pk, "unpublish"]))
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    saved(restore(superuser, article, first))
    article.refresh_from_db()
    assert article.title == "Ferry sails at dawn" and article.status == Article.Status.DRAFT


def test_a_restore_confirmed_after_someone_else_saved_is_refused(superuser):
    """The restore page shows the article as it is "Now"; if it changes before the restore is
    confirmed, restoring would overwrite a change nobody compared: refused, nothing lost."""
    article = ArticleFactory(title="Bridge opens")
    saved(edit(superuser, article, title="Bridge opens today"))
    first = revisions(article)[-1]
    page = superuser.get(reverse("admin:articles_article_history_restore", args=[article.pk, first.pk]))
    shown = page.content.decode().split('name="opened_version" value="')[1].split('"')[0]
    saved(edit(superuser, article, title="Bridge opens at noon"))
    url = reverse("admin:articles_article_history_restore", args=[article.pk, first.pk])
    response = superuser.post(url, {"opened_version": shown}, follow=True)
    assert "your changes were not saved" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Bridge opens at noon"


def compare_latest_two(client, article):
    new, old = revisions(article)
    url = reverse("admin:articles_article_history_compare", args=[article.pk])
    started = time.perf_counter()
    response = client.get(url, {"old": old.pk, "new": new.pk})
    return response, time.perf_counter() - started


def test_comparing_two_long_revisions_is_quick_and_shows_each_change_word_by_word(superuser):
    """1,000 paragraphs of the same few words, every third one changed: word against word, the
    old comparison ran for minutes (gunicorn gives up after 30 s)."""
    before = "".join(f"Paragraph {n} says the tide rose at the harbour wall.\n\n" for n in range(1_000))
    after = "".join(
        f"Paragraph {n} says the tide {'fell' if n % 3 == 0 else 'rose'} at the harbour wall.\n\n" for n in range(1_000)
    )
    assert len(before) > 38_000
    article = ArticleFactory(body_source=before)
    saved(edit(superuser, article))
    saved(edit(superuser, article, body_source=after))
    response, seconds = compare_latest_two(superuser, article)
    assert seconds < 1  # minutes before
    body = {c.label: c for c in response.context["changes"]}["Body"]
    assert body.new.count("<ins>fell</ins>") == 334 and body.old.count("<del>rose</del>") == 334
    assert body.note == ""
    assert "Paragraph 999 says the tide <del>rose</del> at" in body.old


def test_a_long_change_too_costly_to_compare_word_by_word_is_shown_whole_with_a_note(superuser):
    """One 38 KB run of a few words, no line or sentence to split it by, changed throughout."""
    words = "the a of to and in is it that for".split()
    before = " ".join(words[n * 7 % 10] for n in range(10_000))
    after = " ".join(words[(n + 1) % 10] if n % 4 == 0 else words[n * 7 % 10] for n in range(10_000))
    article = ArticleFactory(body_source=before)
    saved(edit(superuser, article))
    saved(edit(superuser, article, body_source=after))
    response, seconds = compare_latest_two(superuser, article)
    assert seconds < 1
    body = {c.label: c for c in response.context["changes"]}["Body"]
    assert body.note == "Too long to compare word by word: some changed passages are shown whole."
    assert body.note in response.content.decode()
    assert body.old.startswith("<del>") and body.new.startswith("<ins>")
