import datetime as dt
import json
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import freshness
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    top = CategoryFactory(name="新媒体")
    outlet = CategoryFactory(name="观察者网", parent=top)
    section = CategoryFactory(name="头条", parent=outlet)
    return top, outlet, section


@pytest.fixture
def hidden():
    """One article in each state readers must not see."""
    return [
        ArticleFactory(title="Draft story", status=Article.Status.DRAFT),
        ArticleFactory(title="Review story", status=Article.Status.REVIEW),
        ArticleFactory(title="Scheduled story", published_at=timezone.now() + dt.timedelta(days=1)),
    ]


def test_home_lists_latest_and_leads_with_the_featured_story(client, hidden):
    older_featured = ArticleFactory(
        title="Featured piece", featured=True, published_at=timezone.now() - dt.timedelta(days=3)
    )
    newest = ArticleFactory(title="Newest piece")
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    html = response.content.decode()
    lead, latest = html.split('id="latest-heading"')
    assert older_featured.get_absolute_url() in lead.split('class="lead"')[1]
    assert newest.get_absolute_url() in latest and older_featured.get_absolute_url() not in latest
    for article in hidden:
        assert article.title not in html


def test_article_detail_shows_what_readers_need(client, tree):
    *_, section = tree
    first, second = AuthorFactory(name="观察者网"), AuthorFactory(name="Second Writer")
    article = ArticleFactory(
        title="中国特使解振华：中美合作是唯一正确选择",
        category=section,
        authors=[first, second],
        tags=["气候", "外交"],
        published_at=dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC),
        lead_image_url="https://i.guancha.cn/news/x.jpg",
        lead_image_caption="Glasgow",
        lead_image_alt="解振华在格拉斯哥气候大会上发言",
        body_source="<p>正文</p>",
        body_format=Article.BodyFormat.HTML,
    )
    url = article.get_absolute_url()
    assert (
        url
        == "/2021/11/12/%E4%B8%AD%E5%9B%BD%E7%89%B9%E4%BD%BF%E8%A7%A3%E6%8C%AF%E5%8D%8E%E4%B8%AD%E7%BE%8E%E5%90%88%E4%BD%9C%E6%98%AF%E5%94%AF%E4%B8%80%E6%AD%A3%E7%A1%AE%E9%80%89%E6%8B%A9/"
    )
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>中国特使解振华：中美合作是唯一正确选择</h1>" in html
    assert html.index("观察者网</a>") < html.index("Second Writer</a>")
    assert '<time datetime="2021-11-12T08:04:09+00:00">2021-11-12 08:04 UTC</time>' in html
    for crumb in tree:
        assert f'href="{crumb.get_absolute_url()}">{crumb.name}</a>' in html
    assert 'rel="tag">气候</a>' in html
    assert (
        '<img src="https://i.guancha.cn/news/x.jpg" alt="解振华在格拉斯哥气候大会上发言" fetchpriority="high" '
        'referrerpolicy="no-referrer">' in html
    )
    assert "<p>正文</p>" in html


def test_detail_date_follows_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    article = ArticleFactory(published_at=dt.datetime(2021, 11, 12, 20, 0, tzinfo=dt.UTC))
    assert article.get_absolute_url().startswith("/2021/11/13/")
    response = client.get(article.get_absolute_url())
    assert "2021-11-13 04:00 CST" in response.content.decode()


def test_wrong_date_in_url_redirects_to_the_canonical_address(client):
    article = ArticleFactory(title="Moved", published_at=dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC))
    response = client.get("/2024/03/06/moved/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() == "/2024/03/05/moved/"


def test_unpublished_articles_are_404_for_readers(client, hidden):
    for article in hidden:
        assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_goes_live_by_itself(client, monkeypatch):
    article = ArticleFactory(published_at=timezone.now() + dt.timedelta(minutes=5))
    assert client.get(article.get_absolute_url()).status_code == 404
    later = timezone.now() + dt.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.title in client.get(reverse("articles:home")).content.decode()


def test_category_page_lists_its_subtree(client, tree, hidden):
    top, outlet, section = tree
    in_section = ArticleFactory(title="Deep story", category=section)
    in_top = ArticleFactory(title="Top story", category=top)
    elsewhere = ArticleFactory(title="Elsewhere story")
    response = client.get(top.get_absolute_url())
    assert response.status_code == 200
    assert set(response.context["articles"]) == {in_section, in_top}
    html = response.content.decode()
    assert f'href="{outlet.get_absolute_url()}">观察者网</a>' in html  # child section link
    assert elsewhere.title not in html
    response = client.get(section.get_absolute_url())
    assert list(response.context["articles"]) == [in_section]
    assert [c.name for c in response.context["breadcrumb"]] == ["新媒体", "观察者网"]


def test_tag_page(client, hidden):
    tagged = ArticleFactory(title="Tagged story", tags=["气候"])
    ArticleFactory(title="Untagged story")
    hidden[0].tags.add("气候")
    response = client.get(reverse("articles:tag", kwargs={"slug": "气候"}))
    assert response.status_code == 200
    assert list(response.context["articles"]) == [tagged]


def test_author_page_shows_bio_and_their_published_articles(client, hidden):
    author = AuthorFactory(name="陈晓", bio="科技记者。", website="https://example.com/chen")
    theirs = ArticleFactory(authors=[author])
    ArticleFactory()
    hidden[0].bylines.create(author=author)
    response = client.get(author.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["articles"]) == [theirs]
    assert "科技记者。" in response.content.decode()


def test_list_is_paginated_newest_first(client):
    now = timezone.now()
    articles = [ArticleFactory(published_at=now - dt.timedelta(hours=i)) for i in range(25)]
    page1 = client.get(reverse("articles:list"))
    assert list(page1.context["articles"]) == articles[:20]
    assert 'rel="next" href="?page=2"' in page1.content.decode()
    page2 = client.get(reverse("articles:list") + "?page=2")
    assert list(page2.context["articles"]) == articles[20:]
    assert client.get(reverse("articles:list") + "?page=3").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/category/nowhere/", "/tag/nothing/", "/author/nobody/", "/2024/01/01/no-such-story/"],
)
def test_unknown_things_are_404_in_the_site_design(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_body_is_sanitised_on_the_page(client):
    article = ArticleFactory(
        body_source='<p>ok</p><script>alert(1)</script><a href="javascript:x()">l</a>',
        body_format=Article.BodyFormat.HTML,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "alert(1)" not in html and "javascript:" not in html


# Query counts: constant in the number of articles (an N+1 in a card or the byline would show here).
@pytest.mark.parametrize("count", [3, 30])
def test_list_pages_query_counts_do_not_grow(client, django_assert_num_queries, tree, count):
    *_, section = tree
    author = AuthorFactory()
    for _ in range(count):
        ArticleFactory(category=section, authors=[author, AuthorFactory()], tags=["t"])
    freshness.next_publication()  # read once per schedule change, by whichever page comes first
    # (first visit, later visits): a first visit reads the list's ids (its pages), which later
    # visits take from the cache, as they take the cards.
    pages = {
        # window, sections, the front page's arrangement (kept until it or a story changes); cards:
        # articles, bylines; the site header, kept for every page after: the navigation's sections, the banner
        reverse("articles:home"): (7, 2),
        reverse("articles:list"): (3, 0),  # the list's ids; cards at list size: articles, bylines
        section.get_absolute_url(): (4, 1),  # section, ids; header: breadcrumb, subsections
        reverse("articles:tag", kwargs={"slug": "t"}): (2, 1),  # tag, ids
        author.get_absolute_url(): (2, 1),  # author, ids
    }
    for url, (first, later) in pages.items():
        with django_assert_num_queries(first):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(later):
            assert client.get(url).status_code == 200


def test_deep_pages_are_read_from_the_stored_list(client):
    """After a list's first visit, any page of it is its ids from the cache: no OFFSET walk, no
    COUNT, no range over the list; only the cards not yet cached are fetched, by id."""
    now = timezone.now()
    articles = [ArticleFactory(published_at=now - dt.timedelta(minutes=n)) for n in range(65)]
    client.get(reverse("articles:list"))  # reads the list's ids once
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("articles:list"), {"page": 4}).content.decode()
    assert [a for a in articles if a.get_absolute_url() in html] == articles[60:]
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not any("OFFSET" in q or "COUNT(" in q for q in sql), sql
    listing = [q for q in sql if 'FROM "ARTICLES_ARTICLE"' in q]
    assert listing and all('WHERE "ARTICLES_ARTICLE"."ID" IN (' in q for q in listing), listing  # by id only
    second = client.get(reverse("articles:list"), {"page": 2}).content.decode()
    assert [a for a in articles if a.get_absolute_url() in second] == articles[20:40]


def test_detail_query_count(client, django_assert_num_queries, tree):
    *_, section = tree
    article = ArticleFactory(category=section, authors=[AuthorFactory() for _ in range(4)], tags=["a", "b", "c"])
    freshness.next_publication()  # read once per schedule change, by whichever page comes first
    # article with its section and body; head: bylines, corrections; main part: breadcrumb, tags,
    # related (the newest sharing a tag: none here, so no second query), newer, older; navigation,
    # banner
    with django_assert_num_queries(10):
        assert client.get(article.get_absolute_url()).status_code == 200
    # the head, the main part and the navigation are then cached fragments: the article alone
    with django_assert_num_queries(1):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_a_story_page_built_from_nothing_reads_the_stories_around_it_once(client, django_assert_num_queries, tree):
    """Its related stories and its neighbours in the section are read whole while they are found,
    not found by id and then fetched again."""
    *_, section = tree
    now = timezone.now()
    older, article, newer = (
        ArticleFactory(category=section, tags=["harbour"], published_at=now - dt.timedelta(hours=h)) for h in (3, 2, 1)
    )
    freshness.next_publication()
    # article; head: bylines, corrections; main part: breadcrumb, tags; around: newer, older,
    # related (its one tag's newest, whole); the header: navigation, banner
    with django_assert_num_queries(10):
        html = client.get(article.get_absolute_url()).content.decode()
    related = html.split('id="related-heading"')[1]
    assert newer.title in related and older.title in related
    assert f'rel="next" href="{newer.get_absolute_url()}"' in html
    assert f'rel="prev" href="{older.get_absolute_url()}"' in html


def test_html_is_a_page_with_language_and_landmarks(client):
    ArticleFactory()
    html = client.get(reverse("articles:home")).content.decode()
    assert html.startswith("<!doctype html>")
    assert '<html lang="en-us">' in html
    assert '<main id="content"' in html and 'href="#content"' in html
    assert html.count("<h1") == 1


def test_language_code_sets_the_page_language(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    article = ArticleFactory(language="en")
    assert '<html lang="zh-hans">' in client.get(reverse("articles:home")).content.decode()
    assert '<article class="article" lang="en">' in client.get(article.get_absolute_url()).content.decode()


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")


def test_author_website_link_is_only_a_web_address(client):
    author = AuthorFactory(name="Set from the shell", website="javascript:alert(1)")
    ArticleFactory(authors=[author])
    assert "javascript:" not in client.get(author.get_absolute_url()).content.decode()
    author.website = "https://example.com/me"
    author.save()
    assert '<a href="https://example.com/me" rel="me">' in client.get(author.get_absolute_url()).content.decode()


def test_old_address_of_a_published_article_redirects_after_a_slug_or_date_change(client):
    title = "中国特使解振华：中美合作是唯一正确选择，双方将在气候变化领域开展务实合作并建立工作组"
    article = ArticleFactory(title=title, published_at=dt.datetime(2021, 11, 12, 8, tzinfo=dt.UTC))
    first = article.get_absolute_url()
    assert len(first) > 200  # longer than django.contrib.redirects could hold
    article.slug = "climate-deal"
    article.save()
    article.published_at = dt.datetime(2021, 11, 13, 8, tzinfo=dt.UTC)
    article.save()
    for old in (first, "/2021/11/12/climate-deal/"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == "/2021/11/13/climate-deal/", old
    assert client.get("/2021/11/13/climate-deal/").status_code == 200


def test_drafts_leave_no_old_addresses_and_unpublished_targets_do_not_redirect(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, slug="before")
    old = draft.get_absolute_url()
    draft.slug = "after"
    draft.save()
    assert not draft.old_addresses.exists()
    live = ArticleFactory(slug="live-one")
    old = live.get_absolute_url()
    live.slug = "live-two"
    live.save()
    live.status = Article.Status.DRAFT
    live.save()
    assert client.get(old).status_code == 404  # the article it leads to is no longer published


def test_staff_preview_unpublished_articles_marked_and_never_cached(client, django_user_model, hidden):
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["change_article", "publish_article"]))
    plain = django_user_model.objects.create_user("reader", password="pw")
    draft = hidden[0]
    client.force_login(plain)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview — readers cannot see this article yet (Draft)." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    scheduled = client.get(hidden[2].get_absolute_url()).content.decode()
    assert "(Scheduled for " in scheduled


def test_news_article_json_ld_and_sharing_tags(client):
    author = AuthorFactory(name="观察者网")
    article = ArticleFactory(
        title="中美合作 <b>",
        standfirst="摘要",
        authors=[author],
        lead_image_url="https://img.example/a.jpg",
        published_at=dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC),
        language="zh-hans",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<b>" not in raw  # escaped for a script element
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle" and data["headline"] == "中美合作 <b>"
    assert data["datePublished"] == "2021-11-12T08:04:09+00:00"
    assert data["author"] == [
        {"@type": "Person", "name": "观察者网", "url": f"http://testserver{author.get_absolute_url()}"}
    ]
    assert data["image"] == [{"@type": "ImageObject", "url": "https://img.example/a.jpg"}]
    assert data["publisher"]["name"] == "Newsroom"
    assert data["inLanguage"] == "zh-hans"
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
    assert '<meta property="og:image" content="https://img.example/a.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


@pytest.mark.parametrize(("body", "minutes"), [("字" * 1200, 3), ("word " * 460, 2), ("短", 1)])
def test_reading_time_counts_chinese_by_characters(client, body, minutes):
    article = ArticleFactory(body_source=body)
    assert f"{minutes} min read" in client.get(article.get_absolute_url()).content.decode()


def test_reading_time_follows_the_body_through_an_edit_and_a_reimport(client, tmp_path):
    """Counted when the body is saved (a page built from nothing no longer reads the body's
    text for it): an editor's longer body and a re-imported one both show their new time."""
    from tests.utils import run_import, write

    article = ArticleFactory(body_source="word " * 100)
    assert "1 min read" in client.get(article.get_absolute_url()).content.decode()
    article.body_source = "word " * 920
    article.save()
    assert "4 min read" in client.get(article.get_absolute_url()).content.decode()

    write(tmp_path, "ferry.md", "---\ntitle: Ferry\ndate: 2024-05-01\n---\n" + "word " * 100)
    run_import(tmp_path)
    imported = Article.objects.get(title="Ferry")
    assert "1 min read" in client.get(imported.get_absolute_url()).content.decode()
    write(tmp_path, "ferry.md", "---\ntitle: Ferry\ndate: 2024-05-01\n---\n" + "字" * 1200)
    run_import(tmp_path)
    assert "3 min read" in client.get(imported.get_absolute_url()).content.decode()


def test_related_and_neighbouring_stories(client):
    section = CategoryFactory(name="City")
    now = timezone.now()
    older = ArticleFactory(title="Older", category=section, published_at=now - dt.timedelta(days=3))
    middle = ArticleFactory(title="Middle", category=section, published_at=now - dt.timedelta(days=2), tags=["a", "b"])
    newer = ArticleFactory(title="Newer", category=section, published_at=now - dt.timedelta(days=1))
    ArticleFactory(title="Draft twin", category=section, status=Article.Status.DRAFT, tags=["a", "b"])
    both = ArticleFactory(title="Shares both", tags=["a", "b"])
    one = ArticleFactory(title="Shares one", tags=["b"])
    response = client.get(middle.get_absolute_url())
    assert response.context["related"] == [both, one]
    assert (response.context["newer"], response.context["older"]) == (newer, older)
    html = response.content.decode()
    assert f'<a rel="prev" href="{older.get_absolute_url()}">' in html
    assert f'<a rel="next" href="{newer.get_absolute_url()}">' in html


def test_list_pages_link_their_neighbouring_pages(client):
    for _ in range(21):
        ArticleFactory()
    html = client.get(reverse("articles:list")).content.decode()
    assert '<link rel="next" href="?page=2">' in html
    assert '<link rel="prev" href="?page=1">' in client.get(reverse("articles:list") + "?page=2").content.decode()


def test_date_archives_list_published_stories_of_the_period(client, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    late = ArticleFactory(title="Late on the 12th in UTC", published_at=dt.datetime(2021, 11, 12, 17, tzinfo=dt.UTC))
    early = ArticleFactory(title="Early on the 12th", published_at=dt.datetime(2021, 11, 12, 1, tzinfo=dt.UTC))
    other_month = ArticleFactory(title="October", published_at=dt.datetime(2021, 10, 3, tzinfo=dt.UTC))
    ArticleFactory(title="Draft", status=Article.Status.DRAFT, published_at=dt.datetime(2021, 11, 12, 2, tzinfo=dt.UTC))
    year = client.get("/2021/")
    assert set(year.context["articles"]) == {late, early, other_month}
    assert 'href="/2021/10/">October</a>' in year.content.decode()
    month = client.get("/2021/11/")
    assert set(month.context["articles"]) == {late, early}
    assert "November 2021" in month.content.decode()
    assert list(client.get("/2021/11/12/").context["articles"]) == [early]  # 17:00 UTC is the 13th in Shanghai
    assert list(client.get("/2021/11/13/").context["articles"]) == [late]
    assert client.get("/2020/").status_code == 404
    assert client.get("/2021/11/14/").status_code == 404


def test_home_has_a_rail_per_top_level_section(client, settings):
    news, science = CategoryFactory(name="News"), CategoryFactory(name="Science")
    city = CategoryFactory(name="City", parent=news)
    now = timezone.now()
    for n in range(16):  # fill the latest list
        ArticleFactory(title=f"Recent {n}", published_at=now - dt.timedelta(minutes=n))
    older = [
        ArticleFactory(title=f"City {n}", category=city, published_at=now - dt.timedelta(days=1, minutes=n))
        for n in range(5)
    ]
    space = ArticleFactory(title="Space", category=science, published_at=now - dt.timedelta(days=2))
    html = client.get(reverse("articles:home")).content.decode()
    rails = {
        heading.split("</a>")[0].rsplit(">", 1)[1]: body
        for heading, body in (part.split("</h2>", 1) for part in html.split('<section class="rail"')[1:])
    }
    assert list(rails) == ["News", "Science"]
    assert [a.title for a in older if a.get_absolute_url() in rails["News"]] == ["City 0", "City 1", "City 2", "City 3"]
    assert space.get_absolute_url() in rails["Science"]
    assert "City 4" not in html


def test_interface_speaks_chinese_when_the_site_does(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    ArticleFactory(title="气候报道", tags=["气候"])
    home = client.get(reverse("articles:home")).content.decode()
    assert '<html lang="zh-hans">' in home
    assert "跳到正文" in home and "全部报道" in home
    results = client.get(reverse("articles:search"), {"q": "气候"}).content.decode()
    assert "共有 1 篇报道符合“气候”。" in results
    assert "找不到这个页面" in client.get("/tag/nothing/").content.decode()
    assert "标签：“气候”" in client.get(reverse("articles:tag", kwargs={"slug": "气候"})).content.decode()


def test_page_boundaries_follow_new_and_scheduled_stories(client, monkeypatch):
    now = timezone.now()
    articles = [ArticleFactory(published_at=now - dt.timedelta(minutes=n)) for n in range(1, 22)]
    assert list(client.get(reverse("articles:list"), {"page": 2}).context["articles"]) == articles[20:]
    newest = ArticleFactory(published_at=now)
    assert list(client.get(reverse("articles:list"), {"page": 2}).context["articles"]) == articles[19:]
    scheduled = ArticleFactory(published_at=now + dt.timedelta(minutes=5))
    later = now + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page1 = client.get(reverse("articles:list")).context["articles"]
    assert list(page1)[:2] == [scheduled, newest]
    assert list(client.get(reverse("articles:list"), {"page": 2}).context["articles"]) == articles[18:]


def test_article_head_holds_the_metadata_and_the_page_its_parts_once(client):
    section = CategoryFactory(name="City")
    ArticleFactory(category=section, tags=["x"], published_at=timezone.now() - dt.timedelta(days=2))
    article = ArticleFactory(title="Middle story", category=section, tags=["x"])
    html = client.get(article.get_absolute_url()).content.decode()
    head, body = html.split("</head>", 1)
    assert "<title>Middle story · Newsroom</title>" in head
    for marker in ('rel="canonical"', 'property="og:title"', "application/ld+json"):
        assert marker in head and marker not in body
    assert body.count('class="related"') == 1 and body.count('class="neighbours"') == 1


def test_neighbours_follow_each_other_at_the_same_moment(client):
    section = CategoryFactory(name="Desk")
    moment = timezone.now() - dt.timedelta(days=1)
    first, second, third = (ArticleFactory(category=section, published_at=moment) for _ in range(3))
    response = client.get(second.get_absolute_url())
    assert (response.context["newer"], response.context["older"]) == (third, first)


def test_cached_cards_follow_changes_to_bylines_and_sections(client):
    author = AuthorFactory(name="Old Name")
    section = CategoryFactory(name="Old Section")
    ArticleFactory(authors=[author], category=section)
    page = client.get(reverse("articles:list")).content.decode()
    assert "Old Name" in page and "Old Section" in page
    author.name = "New Name"
    author.save()
    section.name = "New Section"
    section.save()
    page = client.get(reverse("articles:list")).content.decode()
    assert "New Name" in page and "New Section" in page and "Old Name" not in page


def test_article_fragment_shows_a_scheduled_neighbour_once_it_is_live(client, monkeypatch):
    section = CategoryFactory(name="Desk")
    article = ArticleFactory(category=section, published_at=timezone.now() - dt.timedelta(hours=1))
    soon = ArticleFactory(
        title="Goes live soon", category=section, published_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert "Goes live soon" not in client.get(article.get_absolute_url()).content.decode()
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<a rel="next" href="{soon.get_absolute_url()}">Goes live soon →</a>' in page


def test_cached_page_parts_follow_content_changes(client):
    """The navigation, a list's header and an article's head are kept between requests; an
    edit anywhere shows on the next one."""
    section = CategoryFactory(name="Harbour", description="Boats and ferries.")
    author = AuthorFactory(name="First Reporter")
    article = ArticleFactory(category=section, authors=[author])
    assert "Harbour" in client.get(reverse("articles:home")).content.decode()
    assert "Boats and ferries." in client.get(section.get_absolute_url()).content.decode()
    assert "First Reporter" in client.get(article.get_absolute_url()).content.decode()

    ArticleFactory(category=CategoryFactory(name="Weather"))
    section.description = "Ships and ports."
    section.save()
    author.name = "Renamed Reporter"
    author.save()

    assert 'href="/category/weather/">Weather</a>' in client.get(reverse("articles:list")).content.decode()
    assert "Ships and ports." in client.get(section.get_absolute_url()).content.decode()
    head = client.get(article.get_absolute_url()).content.decode().split("</head>")[0]
    assert '"name": "Renamed Reporter"' in head and "First Reporter" not in head


def test_archive_months_follow_a_scheduled_story_going_live(client):
    """A list's header (here a year's months) is a cached fragment: it renews when a scheduled
    story goes live, as the list does, not only when content is edited."""
    noon = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)
    ArticleFactory(title="Spring", published_at=dt.datetime(2025, 3, 10, tzinfo=dt.UTC))
    ArticleFactory(title="Summer", published_at=noon + dt.timedelta(hours=1))  # scheduled
    with mock.patch("django.utils.timezone.now", return_value=noon):
        before = client.get("/2025/").content.decode()
    with mock.patch("django.utils.timezone.now", return_value=noon + dt.timedelta(hours=2)):
        after = client.get("/2025/").content.decode()
    assert 'href="/2025/03/"' in before and 'href="/2025/06/"' not in before and "Summer" not in before
    assert 'href="/2025/06/"' in after and "Summer" in after


# Names of things not yet public (issue 12)


def public_names(client):
    """Every place a reader (or a crawler) meets a section, tag or author name."""
    pages = [reverse("articles:home"), reverse("articles:list"), "/sitemaps/sections.xml", "/sitemaps/tags.xml"]
    return "".join(client.get(url).content.decode() for url in [*pages, "/sitemaps/authors.xml"])


def test_sections_tags_and_authors_only_drafts_use_are_not_public(client, settings):
    """Not in the navigation, a section's subsections or the sitemaps; their pages and feeds
    404 until a published story uses them, and again once none does."""
    settings.PAGE_CACHE_SECONDS = 300  # kept pages and fragments must follow too
    news = CategoryFactory(name="News")
    ArticleFactory(title="Public story", category=news)
    secret_top, secret_child = CategoryFactory(name="Mergers Desk"), CategoryFactory(name="Layoffs", parent=news)
    author = AuthorFactory(name="Undercover Reporter")
    draft = ArticleFactory(
        title="Not yet", status=Article.Status.DRAFT, category=secret_child, authors=[author], tags=["acquisition"]
    )
    ArticleFactory(title="Also not yet", status=Article.Status.REVIEW, category=secret_top)
    addresses = [
        secret_top.get_absolute_url(),
        secret_child.get_absolute_url(),
        reverse("articles:category-feed", kwargs={"path": secret_top.path}),
        reverse("articles:tag", kwargs={"slug": "acquisition"}),
        reverse("articles:tag-feed", kwargs={"slug": "acquisition"}),
        author.get_absolute_url(),
        reverse("articles:author-feed", kwargs={"slug": author.slug}),
    ]

    def hidden():
        names = public_names(client) + client.get(news.get_absolute_url()).content.decode()
        return {
            "names": [n for n in ("Mergers Desk", "Layoffs", "acquisition", "Undercover Reporter") if n in names],
            "answering": [url for url in addresses if client.get(url).status_code != 404],
        }

    assert hidden() == {"names": [], "answering": []}
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert hidden() == {
        "names": ["Layoffs", "acquisition", "Undercover Reporter"],
        "answering": addresses[1:2] + addresses[3:],
    }
    draft.status = Article.Status.DRAFT
    draft.save()
    assert hidden() == {"names": [], "answering": []}


def navigation(client) -> str:
    html = client.get(reverse("articles:list")).content.decode()
    return html.split('<header class="site-header">')[1].split("</header>")[0]


def test_a_section_only_a_scheduled_story_uses_goes_public_on_time(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300  # the navigation is a kept fragment: it must follow
    ArticleFactory(category=CategoryFactory(name="News"))
    launch = CategoryFactory(name="Launch Desk")
    when = timezone.now() + dt.timedelta(minutes=5)
    story = ArticleFactory(category=launch, tags=["rocket"], published_at=when)
    assert "News" in navigation(client) and "Launch Desk" not in navigation(client)
    assert client.get(launch.get_absolute_url()).status_code == 404
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert 'href="/category/launch-desk/">Launch Desk</a>' in navigation(client)
    assert client.get(launch.get_absolute_url()).status_code == 200
    assert client.get(reverse("articles:tag", kwargs={"slug": "rocket"})).status_code == 200
    story.status = Article.Status.DRAFT  # its last story taken down: gone from the navigation again
    story.save()
    assert "Launch Desk" not in navigation(client)


def test_every_interface_string_of_the_jinja2_templates_reads_in_chinese():
    """makemessages reads Django's templates only: the strings of an article's Jinja2 parts (and
    the cards') keep their Chinese entries by hand, and a catalogue that lost one fails here."""
    from pathlib import Path

    from django.conf import settings
    from django.utils import translation

    calls = re.compile(r"""\b(_|ngettext|pgettext)\(\s*"([^"]+)"(?:\s*,\s*"([^"]+)")?""")
    found = [
        m.groups()
        for path in Path(settings.BASE_DIR, "templates", "jinja2").rglob("*.html")
        for m in calls.finditer(path.read_text())
    ]
    assert len(found) >= 10

    def reads_in_chinese(call, text, second):
        if call == "ngettext":
            return translation.ngettext(text, second, 1) != text
        if call == "pgettext":  # (context, message)
            return translation.pgettext(text, second) != second
        return translation.gettext(text) != text

    with translation.override("zh-hans"):
        untranslated = [groups for groups in found if not reads_in_chinese(*groups)]
    assert untranslated == []
