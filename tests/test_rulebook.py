"""The shared rulebook's homes, through what editors and readers see: a writer's first revision,
old addresses typed in the admin, two saves of one new title, author identity, the sample's
scheduled story, and CJK text in revision diffs."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import history
from articles.models import Article, Author, OldAddress
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.utils import article_form, logged_in

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


def test_a_writers_first_revision_holds_the_byline_they_were_given():
    """A writer who names nobody gets their own byline; revision 1 must hold it, or restoring
    revision 1 would take the byline away."""
    user = UserFactory(groups=["Writers"])
    own = AuthorFactory(name="Wen Writer", user=user)
    response = logged_in(user).post(ADD_URL, article_form(title="First draft", status="draft"))
    assert response.status_code == 302
    article = Article.objects.get(title="First draft")
    assert [b.author for b in article.bylines.all()] == [own]
    first = history.versions_of(article).get()
    assert history.snapshot(first).author_ids == [own.pk]


def old_address_form(title, path):
    return article_form(
        title=title,
        **{"old_addresses-TOTAL_FORMS": "1", "old_addresses-0-path": path, "old_addresses-0-id": ""},
    )


def test_an_old_address_typed_without_its_slash_redirects_to_the_article(client):
    editor = logged_in(UserFactory(groups=["Editors"]))
    response = editor.post(ADD_URL, old_address_form("Ferry timetable", "news/old-ferry-story/"))
    assert response.status_code == 302
    article = Article.objects.get(title="Ferry timetable")
    assert list(article.old_addresses.values_list("path", flat=True)) == ["/news/old-ferry-story"]
    response = client.get("/news/old-ferry-story/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_an_old_address_another_article_has_is_a_form_error_not_a_crash():
    taken = ArticleFactory(title="The first story")
    OldAddress.objects.create(article=taken, path="/news/old-ferry-story")
    editor = logged_in(UserFactory(groups=["Editors"]))
    response = editor.post(ADD_URL, old_address_form("Ferry timetable", "/news/old-ferry-story"))
    assert response.status_code == 200
    assert "already an old address of “The first story”" in response.content.decode()
    assert not Article.objects.filter(title="Ferry timetable").exists()


def test_two_editors_saving_the_same_new_title_at_once_both_get_their_article():
    """The other editor's save lands between this form's slug check and its insert."""
    editor = logged_in(UserFactory(groups=["Editors"]))
    prepare = Article.prepare_for_save

    def then_the_other_editor_saves(article, **kwargs):
        prepare(article, **kwargs)
        if not Article.objects.filter(slug=article.slug).exists():
            Article.objects.bulk_create([Article(title=article.title, slug=article.slug, body_source="theirs")])

    with mock.patch.object(Article, "prepare_for_save", then_the_other_editor_saves):
        response = editor.post(ADD_URL, article_form(title="Harbour reopens", slug="harbour-reopens"))
    assert response.status_code == 302
    slugs = set(Article.objects.filter(title="Harbour reopens").values_list("slug", flat=True))
    assert slugs == {"harbour-reopens", "harbour-reopens-2"}


def test_a_byline_name_is_one_person_unless_their_emails_differ():
    first = Author.objects.for_byline("Li Wei", "li.wei@example.com")
    assert Author.objects.for_byline("li  wei") == first  # case and spacing aside
    assert Author.objects.for_byline("Li Wei", "LI.WEI@example.com") == first
    namesake = Author.objects.for_byline("Li Wei", "another.li.wei@example.org")
    assert namesake != first and namesake.slug != first.slug
    assert Author.objects.filter(name="Li Wei").count() == 2


def load_sample():
    call_command("load_sample_content", no_admin=True, stdout=StringIO(), stderr=StringIO())


def test_the_sample_scheduled_story_is_due_a_week_after_loading_and_stays_put(client):
    load_sample()
    story = Article.objects.scheduled().get()
    ahead = story.published_at - timezone.now()
    assert dt.timedelta(days=6) < ahead <= dt.timedelta(days=7)
    assert client.get(story.get_absolute_url()).status_code == 404
    load_sample()  # `make run` again: nothing moves
    assert Article.objects.get(pk=story.pk).published_at == story.published_at


def test_a_revision_diff_marks_the_kana_and_hangul_that_changed_not_the_whole_phrase():
    old, new = history.diff_text("ありがとう、안녕하세요", "ありがとお、안녕하십시오")
    assert str(old) == "ありがと<del>う</del>、안녕하<del>세요</del>"
    assert str(new) == "ありがと<ins>お</ins>、안녕하<ins>십시오</ins>"
