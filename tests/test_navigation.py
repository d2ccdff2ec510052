"""Issue 14, an edited front page: the header lists the sections editors choose, in their order
(the rest on /sections/), and a breaking-news banner is on every reader page until its expiry,
on time, with no cron, through every cache. Editors manage both; writers cannot."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import freshness
from articles.models import Article, Banner, Category
from newsroom.models import Job
from tests.factories import ArticleFactory, CategoryFactory, Site
from tests.utils import free_port

pytestmark = pytest.mark.django_db


def header(client, url="/") -> str:
    html = client.get(url).content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def navigation(client, url="/") -> list[str]:
    """The section names the header's navigation lists, in order (not "All stories" and "All sections")."""
    import re

    nav = header(client, url)
    names = re.findall(r'<li><a href="/category/[^"]+">([^<]+)</a></li>', nav)
    return names


def choose_in_admin(client, chosen: dict):
    """The section list in the admin as an editor saves it: `chosen` {section: order} ticked
    "in the navigation" with that order, every other section unticked."""
    sections = list(Category.objects.order_by("path"))
    data = {
        "form-TOTAL_FORMS": str(len(sections)),
        "form-INITIAL_FORMS": str(len(sections)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, section in enumerate(sections):
        data[f"form-{n}-id"] = str(section.pk)
        data[f"form-{n}-navigation_order"] = str(chosen.get(section, 0))
        if section in chosen:
            data[f"form-{n}-in_navigation"] = "on"
    return client.post(reverse("admin:articles_category_changelist"), data)


def banner_form(text="Storm warning: ferries cancelled", link="/live/storm/", expires_at=None):
    when = timezone.localtime(expires_at or timezone.now() + dt.timedelta(hours=1))
    return {
        "text": text,
        "link": link,
        "expires_at_0": when.strftime("%Y-%m-%d"),
        "expires_at_1": when.strftime("%H:%M:%S"),
    }


@pytest.fixture
def site():
    return Site()


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


def reader_pages(site):
    return {
        "home": "/",
        "list": reverse("articles:list"),
        "sections": reverse("articles:sections"),
        "city": site.city.get_absolute_url(),
        "tag": site.harbour.get_absolute_url(),
        "author": site.ann.get_absolute_url(),
        "article": site.ferry.get_absolute_url(),
        "search": reverse("articles:search") + "?q=ferry",
    }


def warm(client, urls):
    for url in urls.values():
        client.get(url)
    assert all(client.get(url)["X-Page-Cache"] == "hit" for url in urls.values() if "?q=" not in url)


# --- the navigation ------------------------------------------------------------------------


def test_the_header_lists_the_sections_editors_chose_in_their_order(client, editor, site):
    assert navigation(client) == ["News", "Sport"]  # none chosen: the top sections
    response = choose_in_admin(editor, {site.sport: 1, site.city: 2})
    assert response.status_code == 302
    for url in ("/", site.ferry.get_absolute_url(), reverse("articles:list"), reverse("articles:sections")):
        assert navigation(client, url) == ["Sport", "City"], url
    choose_in_admin(editor, {site.sport: 3, site.city: 2})
    assert navigation(client) == ["City", "Sport"]
    assert "All sections" in header(client) and f'href="{reverse("articles:sections")}"' in header(client)


def test_with_none_chosen_the_header_lists_the_first_top_sections_and_the_rest_are_one_click_away(client):
    for n in range(9):
        ArticleFactory(category=CategoryFactory(name=f"Desk {n}"))
    assert navigation(client) == [f"Desk {n}" for n in range(6)]
    sections = client.get(reverse("articles:sections")).content.decode()
    for n in range(9):
        assert f">Desk {n}</a>" in sections


def test_a_chosen_section_without_published_stories_is_not_listed(client, site):
    empty = CategoryFactory(name="Elections", in_navigation=True)
    ArticleFactory(category=empty, status=Article.Status.DRAFT)
    assert navigation(client) == ["News", "Sport"]  # chosen, but nothing to show: the default
    site.sport.in_navigation = True
    site.sport.save()
    assert navigation(client) == ["Sport"]


def test_the_sections_page_lists_every_section_as_a_tree_with_its_stories(client, site, django_assert_num_queries):
    CategoryFactory(name="Weather")  # nothing published in it: no page, not listed
    ArticleFactory(category=CategoryFactory(name="Drafts only"), status=Article.Status.DRAFT)
    sections = Category.objects.get
    url = reverse("articles:sections")
    freshness.next_publication()  # read once per schedule change, by whichever page comes first
    with django_assert_num_queries(4):  # the sections, the counts; the header: navigation, banner
        html = client.get(url).content.decode()
    with django_assert_num_queries(2):  # the header is a kept fragment
        client.get(url)
    tree = html[html.index('class="section-tree"') :]
    news, city, sport = (sections(name=n) for n in ("News", "City", "Sport"))
    # News holds City, which holds three stories; Sport three of its own.
    assert tree.index(">News</a>") < tree.index(">City</a>") < tree.index(">Sport</a>")
    assert tree.count("<ul>") == 2  # City is a level below News
    for section in (news, city, sport):
        at = tree.index(f'href="{section.get_absolute_url()}"')
        assert "3 stories" in tree[at : at + 200]
    assert "Weather" not in tree and "Drafts only" not in tree
    assert "<h1>Sections</h1>" in html


def test_choosing_sections_renews_every_pages_navigation_through_the_caches(client, editor, site, page_cache):
    urls = reader_pages(site)
    warm(client, urls)
    choose_in_admin(editor, {site.city: 1})
    for name, url in urls.items():
        page = client.get(url)
        assert page.get("X-Page-Cache") != "hit" and navigation(client, url) == ["City"], name
    warm(client, urls)
    site.city.refresh_from_db()
    site.city.navigation_order = 5  # the shell, as the admin's form: an order changed
    site.city.save()
    assert all(client.get(url).get("X-Page-Cache") != "hit" for url in urls.values())
    assert navigation(client) == ["City"]
    warm(client, urls)
    site.sport.description = "Results and fixtures."  # no longer in the navigation: its pages only
    site.sport.save()
    assert client.get(urls["article"])["X-Page-Cache"] == "hit" and client.get(urls["tag"])["X-Page-Cache"] == "hit"


def test_a_chosen_subsection_coming_and_going_renews_the_navigation(client, site, page_cache):
    site.city.in_navigation, site.city.navigation_order = True, 2
    site.city.save()
    harbour = CategoryFactory(name="Harbour", parent=site.news, in_navigation=True, navigation_order=1)
    warm(client, {"home": "/", "article": site.race.get_absolute_url()})
    story = ArticleFactory(title="Harbour reopens", category=harbour)
    assert navigation(client, site.race.get_absolute_url()) == ["Harbour", "City"]
    story.status = Article.Status.DRAFT
    story.save()
    assert navigation(client, site.race.get_absolute_url()) == ["City"]


def test_pages_tell_the_edge_they_show_the_navigation_and_the_banner(client, site):
    keys = client.get(site.ferry.get_absolute_url())["Surrogate-Key"].split()
    assert {"nav", "banner"} <= set(keys)


# --- the banner ----------------------------------------------------------------------------


def test_an_editor_sets_a_banner_every_reader_page_shows_it_then_it_expires_on_time(
    client, editor, site, page_cache, monkeypatch
):
    urls = reader_pages(site)
    warm(client, urls)
    expiry = timezone.now() + dt.timedelta(minutes=30)
    response = editor.post(reverse("admin:articles_banner_add"), banner_form(expires_at=expiry))
    assert response.status_code == 302
    for name, url in urls.items():
        html = client.get(url).content.decode()
        assert '<a href="/live/storm/">Storm warning: ferries cancelled</a>' in html, name
    warm(client, urls)
    just_before = expiry - dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: just_before)
    assert all("Storm warning" in client.get(url).content.decode() for url in urls.values())
    at_expiry = expiry + dt.timedelta(microseconds=1)
    monkeypatch.setattr(timezone, "now", lambda: at_expiry)
    for name, url in urls.items():
        page = client.get(url)
        assert page.get("X-Page-Cache") != "hit" and "Storm warning" not in page.content.decode(), name


def test_the_banner_is_plain_text_and_links_only_to_the_web_or_this_site(client, editor):
    ArticleFactory()
    for link in ("javascript:alert(1)", "//evil.example/", "/\\evil.example/", "data:text/html,x", "ftp://x.example/"):
        response = editor.post(reverse("admin:articles_banner_add"), banner_form(link=link))
        assert response.status_code == 200 and "Enter an address starting with https://" in response.content.decode()
    assert not Banner.objects.exists()
    text = '<script>alert("x")</script> Bridge <b>closed</b>'
    editor.post(reverse("admin:articles_banner_add"), banner_form(text=text, link="https://example.com/live"))
    html = client.get("/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Bridge &lt;b&gt;closed&lt;/b&gt;" in html
    assert '<a href="https://example.com/live">' in html and "<script>alert" not in html
    Banner.objects.update(link="javascript:alert(1)")  # the shell validates nothing
    Banner.objects.first().save()
    html = client.get("/").content.decode()
    assert "Bridge" in html and "javascript:" not in html


def test_the_newest_banner_is_shown_and_an_expired_one_never(client):
    ArticleFactory()
    now = timezone.now()
    Banner.objects.create(text="Yesterday's news", expires_at=now - dt.timedelta(minutes=1))
    assert "Yesterday" not in client.get("/").content.decode()
    Banner.objects.create(text="Older, still on", expires_at=now + dt.timedelta(hours=2), created_at=now)
    Banner.objects.create(
        text="Newest", expires_at=now + dt.timedelta(hours=1), created_at=now + dt.timedelta(seconds=1)
    )
    html = client.get("/").content.decode()
    assert "Newest" in html and "Older, still on" not in html
    Banner.objects.get(text="Newest").delete()
    assert "Older, still on" in client.get("/").content.decode()


def test_writers_cannot_set_or_change_a_banner_or_the_navigation(writer, editor, site):
    """Forged requests: the admin refuses them whatever the page offered."""
    assert writer.get(reverse("admin:articles_banner_changelist")).status_code == 403
    assert writer.post(reverse("admin:articles_banner_add"), banner_form()).status_code == 403
    assert not Banner.objects.exists()
    editor.post(reverse("admin:articles_banner_add"), banner_form())
    banner = Banner.objects.get()
    forged = banner_form(text="Hacked")
    assert writer.post(reverse("admin:articles_banner_change", args=[banner.pk]), forged).status_code == 403
    assert writer.post(reverse("admin:articles_banner_delete", args=[banner.pk]), {"post": "yes"}).status_code == 403
    assert Banner.objects.get().text == "Storm warning: ferries cancelled"
    assert choose_in_admin(writer, {site.sport: 1}).status_code == 403
    assert not Category.objects.filter(in_navigation=True).exists()


def test_a_superuser_manages_banners_too(superuser):
    assert superuser.post(reverse("admin:articles_banner_add"), banner_form()).status_code == 302
    assert Banner.objects.get().created_by.is_superuser


@pytest.mark.django_db(transaction=True)
def test_setting_a_banner_purges_every_page_at_the_edge_now_and_again_at_its_expiry(settings):
    settings.JOBS_MODE = "celery"
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"  # nothing there: never sent
    settings.EDGE_PURGE = "varnish"
    expiry = timezone.now() + dt.timedelta(hours=1)
    banner = Banner.objects.create(text="Polls close at ten", expires_at=expiry)
    assert [["banner"]] in list(Job.objects.filter(name="edge.purge").values_list("args", flat=True))
    later = Job.objects.get(name="edge.banner_expired")
    assert later.run_at == expiry and later.key == f"edge.banner_expired:{banner.pk}"


def test_the_header_the_banner_and_the_sections_page_speak_chinese(client, site, settings, editor):
    settings.LANGUAGE_CODE = "zh-hans"
    Banner.objects.create(text="台风预警", expires_at=timezone.now() + dt.timedelta(hours=1))
    html = client.get(reverse("articles:sections")).content.decode()
    assert "<summary>栏目</summary>" in html and ">全部栏目</a>" in html
    assert '<aside class="breaking" aria-label="突发新闻">' in html and ">突发</strong>" in html
    assert "<h1>栏目</h1>" in html and "3 篇报道" in html
    form = editor.get(reverse("admin:articles_banner_add")).content.decode()
    assert "到期时间" in form and "突发新闻横幅" in form
