import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.utils import article_form

pytestmark = pytest.mark.django_db


def test_editor_writes_and_publishes_an_article(superuser, client):
    """Through the admin form: Chinese title, two ordered authors, an existing and a new tag."""
    section = CategoryFactory(name="Ferries")
    first, second = AuthorFactory(name="Zhou"), AuthorFactory(name="Adams")
    ArticleFactory(tags=["ferries"])
    data = article_form(
        category=str(section.pk),
        tags=["ferries", "新船"],
        **{
            "bylines-TOTAL_FORMS": "2",
            "bylines-0-author": str(first.pk),
            "bylines-0-position": "0",
            "bylines-1-author": str(second.pk),
            "bylines-1-position": "1",
        },
    )
    response = superuser.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    article = Article.objects.get(title="海港市新渡轮下水")
    assert article.slug == "海港市新渡轮下水"
    assert article.is_published()
    assert article.byline == [first, second]
    assert sorted(article.tags.names()) == ["ferries", "新船"]
    assert article.body == "<p>First <em>paragraph</em>.</p>"
    assert client.get(article.get_absolute_url()).status_code == 200


def test_change_form_shows_existing_tags_by_name(superuser):
    article = ArticleFactory(tags=["climate", "气候"])
    html = superuser.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert '<option value="climate" selected>climate</option>' in html
    assert '<option value="气候" selected>气候</option>' in html
    assert 'data-tags="true"' in html


def test_a_body_over_the_size_limit_is_refused_with_a_field_error(superuser, settings):
    """Counted in UTF-8 bytes, before anything renders it (issue 12: an admin save has no time budget)."""
    settings.BODY_MAX_BYTES = 2048
    article = ArticleFactory(title="Ferry", body_source="Short.")
    url = reverse("admin:articles_article_change", args=[article.pk])

    def post(body):
        opened = str(Article.objects.get(pk=article.pk).edit_version)
        return superuser.post(url, article_form(title="Ferry", body_source=body, opened_version=opened))

    response = post("渡" * 1001)  # 1,001 characters, 3,003 bytes
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body_source"] == [
        "The body is 2.9\xa0KB; the most an article's body may be is 2.0\xa0KB. Split it into parts."
    ]
    article.refresh_from_db()
    assert article.body_source == "Short."
    assert post("渡" * 682 + "ab").status_code == 302  # 2,048 bytes: at the limit is fine
    article.refresh_from_db()
    assert article.body_source == "渡" * 682 + "ab"


def test_tag_autocomplete_finds_tags_by_name(superuser, client):
    ArticleFactory(tags=["气候变化", "climate", "sport"])
    url = reverse("admin:articles_article_tag_autocomplete")
    assert superuser.get(url, {"term": "气候"}).json()["results"] == [{"id": "气候变化", "text": "气候变化"}]
    assert client.get(url, {"term": "气候"}).status_code == 302  # readers are sent to sign in


def test_author_and_category_autocomplete(superuser):
    AuthorFactory(name="观察者网")
    top = CategoryFactory(name="新媒体")
    CategoryFactory(name="头条", parent=top)
    url = reverse("admin:autocomplete")
    authors = superuser.get(
        url, {"term": "观察", "app_label": "articles", "model_name": "byline", "field_name": "author"}
    )
    assert [r["text"] for r in authors.json()["results"]] == ["观察者网"]
    sections = superuser.get(
        url, {"term": "头条", "app_label": "articles", "model_name": "article", "field_name": "category"}
    )
    assert [r["text"] for r in sections.json()["results"]] == ["新媒体 / 头条"]


def test_change_list_shows_state_and_byline(superuser):
    ArticleFactory(title="Live one", authors=[AuthorFactory(name="Ann"), AuthorFactory(name="Bo")])
    ArticleFactory(title="Waiting one", status=Article.Status.REVIEW)
    html = superuser.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Ann, Bo" in html
    assert "In review" in html


@pytest.mark.parametrize("rows", [5, 50])
def test_change_list_query_count_is_constant(superuser, django_assert_max_num_queries, rows):
    for _ in range(rows):
        ArticleFactory(authors=[AuthorFactory(), AuthorFactory()])
    with django_assert_max_num_queries(12):
        assert superuser.get(reverse("admin:articles_article_changelist")).status_code == 200


@pytest.mark.parametrize("name", ["articles_author", "articles_category", "articles_tag"])
def test_other_change_lists_load(superuser, name):
    ArticleFactory(tags=["x"])
    assert superuser.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_change_list_counts_and_dates_are_read_once_per_content_change(superuser, django_assert_num_queries):
    """At 100,000 articles the count and the date hierarchy are scans: a second visit takes
    them from the cache, and any article change shows at once."""
    ArticleFactory.create_batch(2, published_at=timezone.now() - dt.timedelta(days=400))
    url = reverse("admin:articles_article_changelist")
    with CaptureQueriesContext(connection) as first:
        assert "2 articles" in superuser.get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        superuser.get(url)
    # the count, the date range, the years, the next scheduled story (or banner expiry)
    assert len(again) == len(first) - 4
    ArticleFactory(published_at=timezone.now())
    html = superuser.get(url).content.decode()
    assert "3 articles" in html and str(timezone.now().year) in html and str(timezone.now().year - 1) in html


def test_kept_counts_follow_a_scheduled_story_going_live(superuser):
    ArticleFactory(published_at=timezone.now() - dt.timedelta(days=1))
    ArticleFactory(published_at=timezone.now() + dt.timedelta(hours=1))  # scheduled
    url = reverse("admin:articles_article_changelist")
    assert "1 article" in superuser.get(url, {"state": "live"}).content.decode()
    later = timezone.now() + dt.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "2 articles" in superuser.get(url, {"state": "live"}).content.decode()
