import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Category
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

PAST = timezone.now() - dt.timedelta(hours=1)
FUTURE = timezone.now() + dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "when", "visible"),
    [
        (Article.Status.DRAFT, PAST, False),
        (Article.Status.DRAFT, FUTURE, False),
        (Article.Status.DRAFT, None, False),
        (Article.Status.REVIEW, PAST, False),
        (Article.Status.REVIEW, FUTURE, False),
        (Article.Status.REVIEW, None, False),
        (Article.Status.PUBLISHED, PAST, True),
        (Article.Status.PUBLISHED, FUTURE, False),
    ],
)
def test_publication_rule(status, when, visible):
    """Readers see an article only when it is published and its publication time has passed."""
    article = ArticleFactory(status=status, published_at=when)
    assert (article in Article.objects.published()) is visible
    assert article.is_published() is visible


def test_scheduled_article_appears_when_its_time_comes(monkeypatch):
    """No cron: a scheduled article is visible as soon as the clock passes its time."""
    article = ArticleFactory(published_at=timezone.now() + dt.timedelta(minutes=5))
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert article.state_label.startswith("Scheduled for")
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_first_publication_sets_time_and_later_edits_keep_it():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert article.published_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    first = article.published_at
    assert first is not None
    article.title = "Corrected headline"
    article.save()
    article.refresh_from_db()
    assert article.published_at == first


def test_chinese_title_gets_a_readable_slug():
    article = ArticleFactory(title="中国特使解振华：中美合作是唯一正确选择")
    assert article.slug == "中国特使解振华中美合作是唯一正确选择"


def test_colliding_titles_get_suffixed_slugs():
    slugs = [ArticleFactory(title="Harbour reopens").slug for _ in range(3)]
    assert slugs == ["harbour-reopens", "harbour-reopens-2", "harbour-reopens-3"]


@pytest.mark.parametrize("title", ["!!!", "🙂🙂", "：——"])
def test_slug_is_never_empty(title):
    first, second = ArticleFactory(title=title), ArticleFactory(title=title)
    assert first.slug == "article"
    assert second.slug == "article-2"


def test_long_title_slug_is_cut_at_a_word():
    article = ArticleFactory(title="word " * 60)
    assert len(article.slug) <= 120
    assert not article.slug.endswith("-")
    assert article.slug.endswith("word")


def test_editor_slug_is_kept():
    assert ArticleFactory(title="Anything", slug="my-choice").slug == "my-choice"


def test_category_path_and_name_follow_the_tree():
    top = CategoryFactory(name="新媒体")
    outlet = CategoryFactory(name="观察者网", parent=top)
    section = CategoryFactory(name="头条", parent=outlet)
    assert section.path == "新媒体/观察者网/头条"
    assert str(section) == "新媒体 / 观察者网 / 头条"
    assert section.ancestors() == [top, outlet]


def test_renaming_a_parent_moves_its_subtree():
    top = CategoryFactory(name="Science")
    child = CategoryFactory(name="Space", parent=top)
    grandchild = CategoryFactory(name="Rockets", parent=child)
    top.slug, top.name = "sci", "Sci"
    top.save()
    grandchild.refresh_from_db()
    assert grandchild.path == "sci/space/rockets"
    assert str(grandchild) == "Sci / Space / Rockets"


def test_same_slug_allowed_under_different_parents_only():
    news, culture = CategoryFactory(name="News"), CategoryFactory(name="Culture")
    assert CategoryFactory(name="Local", parent=news).path == "news/local"
    assert CategoryFactory(name="Local", parent=culture).path == "culture/local"
    assert CategoryFactory(name="Local!", parent=news).slug == "local-2"


def test_category_cannot_sit_inside_its_own_subtree():
    top = CategoryFactory(name="Top")
    child = CategoryFactory(name="Child", parent=top)
    top.parent = child
    with pytest.raises(ValidationError):
        top.full_clean()


def test_in_category_includes_descendants_but_not_siblings():
    top = CategoryFactory(name="News")
    child = CategoryFactory(name="City", parent=top)
    lookalike = CategoryFactory(name="Newsletter")  # slug shares the prefix "news"
    in_child = ArticleFactory(category=child)
    in_top = ArticleFactory(category=top)
    ArticleFactory(category=lookalike)
    assert set(Article.objects.in_category(top)) == {in_child, in_top}
    assert list(Article.objects.in_category(child)) == [in_child]


def test_byline_keeps_its_order():
    first, second, third = AuthorFactory(name="Zed"), AuthorFactory(name="Amy"), AuthorFactory(name="Mo")
    article = ArticleFactory(authors=[first, second, third])
    assert Article.objects.get(pk=article.pk).byline == [first, second, third]


def test_deleting_a_category_with_articles_is_refused():
    from django.db.models import ProtectedError

    article = ArticleFactory()
    with pytest.raises(ProtectedError):
        Category.objects.filter(pk=article.category_id).delete()


def test_author_slug_for_an_outlet_name():
    assert AuthorFactory(name="cnBeta - 最新").slug == "cnbeta-最新"
