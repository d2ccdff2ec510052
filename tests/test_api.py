"""The read-only content API: published stories only, at their time; filters, cursor pages,
field selection, bylines with roles, renditions and corrections; ETag/304; bad parameters are a
400 naming the parameter; a page costs the same queries whatever it lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import bylines, workflow
from articles.models import Article, Category, Correction
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, Site, UserFactory

pytestmark = pytest.mark.django_db

ARTICLES = reverse("api:articles")


def article_url(article):
    return reverse("api:article", kwargs={"pk": article.pk})


def ids(client, url=ARTICLES, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def site():
    return Site()


def test_only_published_stories_are_listed_and_shown(client, site):
    editor = UserFactory(groups=["Editors"])
    draft = ArticleFactory(status=Article.Status.DRAFT)
    in_review = ArticleFactory(status=Article.Status.REVIEW)
    scheduled = ArticleFactory(published_at=timezone.now() + dt.timedelta(hours=1))
    retracted = ArticleFactory()
    workflow.retract(retracted, editor, "retraction", "The figures were wrong.")
    listed = ids(client)
    assert listed == [a.pk for a in Article.objects.published()]
    assert len(listed) == 6
    for hidden in (draft, in_review, scheduled, retracted):
        assert hidden.pk not in listed
        assert client.get(article_url(hidden)).status_code == 404
    assert client.get(article_url(site.ferry)).json()["title"] == "Ferry timetable changes"
    for address in ("/api/v1/articles/99999999999999999999/", "/api/v1/articles/-1/", "/api/v1/articles/ferry/"):
        response = client.get(address)
        assert response.status_code == 404 and "detail" in response.json()


def test_a_scheduled_story_appears_exactly_at_its_time(client, site, monkeypatch):
    now = timezone.now()
    soon = ArticleFactory(title="Metro ferry starts", published_at=now + dt.timedelta(hours=1))
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(minutes=59, seconds=59))
    assert soon.pk not in ids(client) and client.get(article_url(soon)).status_code == 404
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(hours=1))
    assert ids(client)[0] == soon.pk
    assert client.get(article_url(soon)).json()["title"] == "Metro ferry starts"


def test_filters_by_section_with_its_subsections_tag_author_language_and_modification(client, site):
    site.match.language = "zh-hans"
    site.match.save()
    assert set(ids(client, section="news")) == {site.ferry.pk, site.bridge.pk, site.tram.pk}  # News > City's
    assert set(ids(client, section="news/city")) == {site.ferry.pk, site.bridge.pk, site.tram.pk}
    assert set(ids(client, section="sport")) == {site.match.pk, site.cup.pk, site.race.pk}
    assert set(ids(client, tag="harbour")) == {site.ferry.pk, site.bridge.pk}
    assert set(ids(client, author="ben-writer")) == {site.match.pk, site.cup.pk, site.race.pk}
    assert ids(client, language="zh") == ids(client, language="zh-Hans") == [site.match.pk]
    assert set(ids(client, tag="rugby", author="ben-writer")) == {site.match.pk, site.cup.pk}

    since = timezone.now()
    Article.objects.filter(pk__in=[site.tram.pk, site.cup.pk]).update(updated_at=since - dt.timedelta(days=1))
    Article.objects.exclude(pk__in=[site.tram.pk, site.cup.pk]).update(updated_at=since - dt.timedelta(days=3))
    assert set(ids(client, modified_since=(since - dt.timedelta(days=2)).isoformat())) == {site.tram.pk, site.cup.pk}
    # A correction is a change of its story too.
    Correction.objects.create(article=site.race, text="The race is on Sunday, not Saturday.")
    assert site.race.pk in ids(client, modified_since=(since - dt.timedelta(days=2)).isoformat())


def test_cursor_pages_list_every_story_once_and_a_new_story_shifts_nothing(client, site):
    for n in range(5):
        ArticleFactory(title=f"Filler {n}", published_at=timezone.now() - dt.timedelta(days=100 + n))
    seen, url = [], f"{ARTICLES}?page_size=4"
    first = client.get(url).json()
    ArticleFactory(title="Breaking")  # published after the first page was read
    page = first
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    everything = list(Article.objects.published().exclude(title="Breaking").values_list("pk", flat=True))
    assert seen == everything and len(seen) == 11


@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("section=weather", "section", "No section has the path “weather”"),
        ("tag=nothing", "tag", "No tag has the slug “nothing”"),
        ("author=nobody", "author", "No author has the slug “nobody”"),
        ("modified_since=yesterday", "modified_since", "format"),
        ("modified_since=9999-12-31T23:59:59-14:00", "modified_since", ""),
        ("fields=id,secret", "fields", "Unknown field(s): secret"),
        ("page_size=0", "page_size", "at least 1"),
        ("page_size=ten", "page_size", "at least 1"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor", "not one the API gave"),
        ("cursor=cD15ZXN0ZXJkYXk=", "cursor", "not one the API gave"),  # p=yesterday
        ("language=" + "x" * 30, "language", ""),
        ("section=%00", "section", ""),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, site, query, parameter, says):
    response = client.get(f"{ARTICLES}?{query}")
    assert response.status_code == 400
    messages = response.json()[parameter]
    assert says in " ".join(messages)


def test_the_page_size_is_capped(client, site, settings):
    settings.API_MAX_PAGE_SIZE = 4
    assert len(ids(client, page_size=1000)) == 4
    assert len(ids(client, page_size=2)) == 2


def test_fields_selects_what_each_story_says(client, site):
    rows = client.get(ARTICLES, {"fields": "id,title,url"}).json()["results"]
    assert rows[0] == {
        "id": site.ferry.pk,
        "title": "Ferry timetable changes",
        "url": f"http://testserver{site.ferry.get_absolute_url()}",
    }
    detail = client.get(article_url(site.ferry), {"fields": "section,tags"}).json()
    assert detail["section"]["path"] == "news/city" and [t["slug"] for t in detail["tags"]] == ["harbour"]
    assert set(detail) == {"section", "tags"}


def test_a_story_says_its_byline_with_roles_renditions_and_corrections(client):
    writer, photographer = AuthorFactory(name="Ann Writer"), AuthorFactory(name="Pat Lens")
    story = ArticleFactory(
        title="Harbour at dawn",
        authors=[writer, (photographer, "photographer")],
        lead_image_alt="Boats at dawn",
        lead_image_credit="Pat Lens",
    )
    renditions = {
        "source": "lead/dawn.jpg",
        "sizes": [{"name": f"renditions/dawn-{w}.webp", "width": w, "height": w * 3 // 4} for w in (320, 640, 1024)],
        "crops": {"16x9": {"name": "renditions/dawn-16x9.webp", "width": 1200, "height": 675}},
    }
    Article.objects.filter(pk=story.pk).update(lead_image="lead/dawn.jpg", lead_renditions=renditions)
    Correction.objects.create(article=story, text="The photograph was taken at dusk.")
    data = client.get(article_url(story)).json()
    assert [(e["author"]["name"], e["role"], e["is_author"]) for e in data["byline"]] == [
        ("Ann Writer", "", True),
        ("Pat Lens", bylines.PHOTOGRAPHS, False),
    ]
    assert data["byline"][1]["author"]["url"] == f"http://testserver{photographer.get_absolute_url()}"
    image = data["lead_image"]
    assert [copy["width"] for copy in image["renditions"]] == [320, 640, 1024]
    assert image["renditions"][0]["url"] == "http://testserver/media/renditions/dawn-320.webp"
    assert image["crops"] == [
        {"url": "http://testserver/media/renditions/dawn-16x9.webp", "width": 1200, "height": 675}
    ]
    assert (image["alt"], image["credit"]) == ("Boats at dawn", "Pat Lens")
    assert [(c["kind"], c["text"]) for c in data["corrections"]] == [
        ("correction", "The photograph was taken at dusk.")
    ]
    assert data["updated_at"] is not None  # a correction is an update readers see


def test_answers_have_an_etag_and_a_revalidation_is_a_304_until_something_changes(client, site):
    first = client.get(ARTICLES)
    etag = first["ETag"]
    assert etag and "no-cache" in first["Cache-Control"]
    assert client.get(ARTICLES, HTTP_IF_NONE_MATCH=etag).status_code == 304
    site.ferry.title = "Ferry timetable changes again"
    site.ferry.save()
    again = client.get(ARTICLES, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and "changes again" in again.content.decode()


def test_answers_are_never_served_stale_from_the_page_cache(client, site, settings):
    settings.PAGE_CACHE_SECONDS = 300
    for url in (ARTICLES, article_url(site.ferry), reverse("api:sections")):
        client.get(url)
        assert client.get(url).get("X-Page-Cache") is None
    workflow.unpublish(Article.objects.get(pk=site.ferry.pk), UserFactory(groups=["Editors"]))
    assert site.ferry.pk not in ids(client)


def fill(count, start=0):
    """Stories in subsections of City > Harbour, each with two bylines, two tags, a correction."""
    harbour = Category.objects.filter(name="Harbour").first() or CategoryFactory(
        name="Harbour", parent=CategoryFactory(name="City")
    )
    for n in range(start, start + count):
        story = ArticleFactory(
            category=CategoryFactory(name=f"Pier {n}", parent=harbour),
            authors=[AuthorFactory(), (AuthorFactory(), "photographer")],
            tags=[f"t{n}", "all"],
        )
        Correction.objects.create(article=story, text=f"Correction {n}.")


@pytest.mark.parametrize(
    "url",
    [
        ARTICLES,
        f"{ARTICLES}?section=city&tag=all",
        reverse("api:sections"),
        reverse("api:authors"),
        reverse("api:tags"),
    ],
)
def test_a_page_costs_the_same_queries_for_one_story_as_for_many(client, django_assert_num_queries, url):
    fill(1)
    client.get(url)  # what a process reads once (when the next scheduled story is due) is read
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    fill(30, start=1)
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(response.json()["results"]) == 20
    if url == ARTICLES:
        assert len(one) == 4  # the stories (with their sections), bylines, tags, corrections


def test_a_story_page_costs_the_same_queries_whatever_its_byline(client, django_assert_num_queries):
    small = ArticleFactory(tags=["a"])
    big = ArticleFactory(authors=[AuthorFactory() for _ in range(8)], tags=[f"t{n}" for n in range(8)])
    for n in range(5):
        Correction.objects.create(article=big, text=f"Correction {n}.")
    client.get(article_url(small))
    with CaptureQueriesContext(connection) as one:
        client.get(article_url(small))
    with django_assert_num_queries(len(one)):  # the story, bylines, tags, corrections
        client.get(article_url(big))
    assert len(one) == 4


def test_sections_authors_and_tags_are_those_readers_can_see(client, site):
    hidden_section = CategoryFactory(name="Weather")
    ghost = AuthorFactory(name="Gus Ghost")
    ArticleFactory(status=Article.Status.DRAFT, category=hidden_section, authors=[ghost], tags=["storms"])
    sections = client.get(reverse("api:sections")).json()["results"]
    assert [s["path"] for s in sections] == ["news", "news/city", "sport"]
    assert [a["slug"] for a in client.get(reverse("api:authors")).json()["results"]] == ["ann-writer", "ben-writer"]
    assert [t["slug"] for t in client.get(reverse("api:tags")).json()["results"]] == ["harbour", "rowing", "rugby"]
    tags = client.get(reverse("api:tags"), {"page_size": 2}).json()
    assert [t["slug"] for t in client.get(tags["next"]).json()["results"]] == ["rugby"]


def test_the_openapi_description_is_served(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
        "/api/v1/sections/",
        "/api/v1/authors/",
        "/api/v1/tags/",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert {"section", "tag", "author", "language", "modified_since", "fields", "cursor", "page_size"} <= parameters
