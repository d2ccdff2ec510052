import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import freshness
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def stories():
    top = CategoryFactory(name="新媒体")
    child = CategoryFactory(name="头条", parent=top)
    author = AuthorFactory(name="观察者网")
    live = ArticleFactory(
        title="中美合作",
        category=child,
        authors=[author],
        tags=["气候"],
        body_source="<p>全文</p><script>bad()</script>",
        body_format=Article.BodyFormat.HTML,
        lead_image_url="https://i.guancha.cn/x.jpg",
    )
    elsewhere = ArticleFactory(title="Elsewhere")
    hidden = [
        ArticleFactory(title="Draft", status=Article.Status.DRAFT, category=child, authors=[author], tags=["气候"]),
        ArticleFactory(
            title="Scheduled", published_at=timezone.now() + dt.timedelta(hours=1), category=child, authors=[author]
        ),
    ]
    return top, child, author, live, elsewhere, hidden


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).findall("./channel/item")


def test_site_rss_has_full_content_and_enclosures(client, stories):
    *_, live, elsewhere, hidden = stories
    items = rss_items(client.get(reverse("articles:feed")))
    titles = [item.findtext("title") for item in items]
    assert set(titles) == {"中美合作", "Elsewhere"}
    item = items[titles.index("中美合作")]
    assert item.findtext("description") == "<p>全文</p>"
    assert item.findtext("link") == "http://localhost:8000" + live.get_absolute_url()
    enclosure = item.find("enclosure")
    assert enclosure.attrib == {"url": "https://i.guancha.cn/x.jpg", "length": "0", "type": "image/jpeg"}
    assert item.findtext("category") == "气候"


def test_site_atom(client, stories):
    response = client.get(reverse("articles:feed-atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert {e.findtext(f"{ATOM}title") for e in entries} == {"中美合作", "Elsewhere"}


@pytest.mark.parametrize("kind", ["category", "tag", "author"])
def test_section_tag_and_author_feeds_list_only_their_published_stories(client, stories, kind):
    top, child, author, *_ = stories
    url = {
        "category": reverse("articles:category-feed", kwargs={"path": top.path}),
        "tag": reverse("articles:tag-feed", kwargs={"slug": "气候"}),
        "author": reverse("articles:author-feed", kwargs={"slug": author.slug}),
    }[kind]
    assert [item.findtext("title") for item in rss_items(client.get(url))] == ["中美合作"]
    atom = client.get(url + "atom/")
    assert [e.findtext(f"{ATOM}title") for e in ET.fromstring(atom.content).findall(f"{ATOM}entry")] == ["中美合作"]


def test_unknown_feed_owner_is_404(client):
    assert client.get(reverse("articles:tag-feed", kwargs={"slug": "nothing"})).status_code == 404


def test_feed_query_count_is_constant(client, django_assert_num_queries, stories):
    for _ in range(10):
        ArticleFactory(authors=[AuthorFactory(), AuthorFactory()], tags=["a", "b"])
    freshness.next_publication()  # read once per schedule change, by whichever request comes first
    with django_assert_num_queries(4):  # site, articles, bylines, tags
        client.get(reverse("articles:feed"))


def test_pages_advertise_their_feeds(client, stories):
    top, child, author, *_ = stories
    home = client.get(reverse("articles:home")).content.decode()
    assert 'type="application/rss+xml" title="Newsroom" href="/feed/"' in home
    section = client.get(top.get_absolute_url()).content.decode()
    assert f'href="{reverse("articles:category-feed", kwargs={"path": top.path})}"' in section


@pytest.mark.parametrize("kind", ["category", "tag", "author"])
def test_section_tag_and_author_pages_advertise_their_atom_feed_too(client, stories, kind):
    top, child, author, live, *_ = stories
    page, owner = {
        "category": (top.get_absolute_url(), {"path": top.path}),
        "tag": (reverse("articles:tag", kwargs={"slug": "气候"}), {"slug": "气候"}),
        "author": (author.get_absolute_url(), {"slug": author.slug}),
    }[kind]
    html = client.get(page).content.decode()
    atom = reverse(f"articles:{kind}-feed-atom", kwargs=owner)
    rss = reverse(f"articles:{kind}-feed", kwargs=owner)
    assert 'type="application/atom+xml" title="' in html and f'href="{atom}"' in html
    assert f'href="{rss}"' in html
    feed = client.get(atom)
    assert feed["Content-Type"].startswith("application/atom+xml")
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(feed.content).findall(f"{ATOM}entry")]
    assert titles == [live.title]


def test_control_characters_never_reach_feeds(client):
    ArticleFactory(title="Bad\x0bcharacter\x08", standfirst="x\x0cy", body_source="text\x0b")
    response = client.get(reverse("articles:feed"))
    assert response.status_code == 200
    assert [item.findtext("title") for item in ET.fromstring(response.content).findall("./channel/item")] == [
        "Badcharacter"
    ]
    assert client.get(reverse("articles:feed-atom")).status_code == 200
