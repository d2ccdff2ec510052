"""Page-precise freshness: a change makes stale exactly the pages that showed what changed.

Each test warms every reader page of a small site through the page cache, makes one kind of
editorial change, and then asserts both halves: the pages that showed it answer fresh (a miss,
with the new content), and pages that did not are still cache hits.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Banner, Byline, Category, LiveEntry, Tag
from articles.tagging import merge_tags
from tests.factories import ArticleFactory, CategoryFactory, FrontPageFactory, Site, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def site():
    return Site()


def warm(client, urls):
    for url in urls.values():
        client.get(url)
    misses = [name for name, url in urls.items() if client.get(url)["X-Page-Cache"] != "hit"]
    assert not misses, f"not kept on a second visit: {misses}"


def stale(client, urls):
    """The names of the pages answered fresh (misses) now."""
    return {name for name, url in urls.items() if client.get(url).get("X-Page-Cache") != "hit"}


def article(site, a):
    return f"article-{a.pk}"


def test_a_headline_fix_renews_only_the_pages_that_show_the_story(client, site):
    urls = site.urls()
    warm(client, urls)
    site.race.title = "Rowing race moved to Sunday"
    site.race.save()
    renewed = stale(client, urls)
    # Its page, the lists its card is on, the feed, and the page whose "previous" link names it.
    assert renewed == {
        "home",
        "list",
        "feed",
        "sport",
        "ben",
        "sport-feed",
        article(site, site.race),
        article(site, site.cup),
    }
    for name in ("home", "sport", "ben", article(site, site.race)):
        assert "Rowing race moved to Sunday" in client.get(urls[name]).content.decode()


def test_publishing_renews_the_lists_it_joins_and_its_neighbours(client, site):
    draft = ArticleFactory(
        title="Harbour festival announced",
        category=site.city,
        authors=[site.ann],
        tags=["harbour"],
        status=Article.Status.DRAFT,
        published_at=site.ferry.published_at + dt.timedelta(hours=1),
    )
    urls = site.urls()
    warm(client, {k: v for k, v in urls.items() if k != article(site, draft)})
    draft.status = Article.Status.PUBLISHED
    draft.save()
    renewed = stale(client, urls)
    joined = {"home", "list", "feed", "news", "city", "harbour", "ann"}
    assert joined <= renewed
    for name in joined - {"feed"}:
        assert "Harbour festival announced" in client.get(urls[name]).content.decode()
    # Its older neighbour now links to it; stories sharing its tag list it as related.
    assert {article(site, site.ferry), article(site, site.bridge)} <= renewed
    assert "Harbour festival announced" in client.get(site.ferry.get_absolute_url()).content.decode()
    # Nothing in Sport, by Ben or tagged rugby shows it.
    assert not renewed & {"sport", "ben", "rugby", "sport-feed", article(site, site.match), article(site, site.cup)}


def test_unpublishing_renews_the_lists_it_leaves(client, site):
    urls = site.urls()
    warm(client, urls)
    site.match.status = Article.Status.DRAFT
    site.match.save()
    renewed = stale(client, urls)
    assert {"home", "list", "feed", "sport", "rugby", "ben", "sport-feed"} <= renewed
    for name in ("home", "sport", "rugby", "ben"):
        assert "Rugby final tonight" not in client.get(urls[name]).content.decode()
    assert not renewed & {"news", "city", "harbour", "ann", article(site, site.ferry), article(site, site.tram)}


def test_a_move_renews_the_old_and_new_sections(client, site):
    urls = site.urls()
    warm(client, urls)
    Article.objects.filter(pk=site.tram.pk).bulk_edit(category=site.sport)
    renewed = stale(client, urls)
    assert {"city", "news", "sport", "sport-feed"} <= renewed
    assert "Tram line opens" in client.get(urls["sport"]).content.decode()
    assert "Tram line opens" not in client.get(urls["city"]).content.decode()
    assert not renewed & {"harbour", "rugby", article(site, site.race)}


def test_retagging_renews_both_tags_pages(client, site):
    urls = site.urls()
    warm(client, urls)
    site.cup.tags.remove("rugby")
    site.cup.tags.add("harbour")
    renewed = stale(client, urls)
    assert {"rugby", "harbour", article(site, site.cup)} <= renewed
    assert "Cup draw announced" in client.get(urls["harbour"]).content.decode()
    assert "Cup draw announced" not in client.get(urls["rugby"]).content.decode()
    assert not renewed & {"city", "news", "ann", article(site, site.tram)}


def test_a_tag_merge_renews_the_tag_pages_and_nothing_unrelated(client, site):
    urls = site.urls()
    warm(client, urls)
    merge_tags(site.harbour, [site.rugby])
    renewed = stale(client, urls)
    assert {"harbour", article(site, site.match), article(site, site.cup)} <= renewed
    assert "Rugby final tonight" in client.get(urls["harbour"]).content.decode()
    assert not renewed & {"city", "ann", article(site, site.tram)}


def test_an_author_rename_renews_their_bylines_only(client, site):
    urls = site.urls()
    warm(client, urls)
    site.ben.name = "Benjamin Writer"
    site.ben.save()
    renewed = stale(client, urls)
    assert {"ben", "sport", "home", "list", article(site, site.match)} <= renewed
    assert "Benjamin Writer" in client.get(urls[article(site, site.match)]).content.decode()
    assert "Benjamin Writer" in client.get(urls["sport"]).content.decode()
    assert not renewed & {"ann", "city", "harbour", article(site, site.ferry), article(site, site.tram)}


def test_a_byline_added_renews_the_authors_list(client, site):
    urls = site.urls()
    warm(client, urls)
    Byline.objects.create(article=site.tram, author=site.ben, position=1)
    renewed = stale(client, urls)
    assert {"ben", article(site, site.tram)} <= renewed
    assert "Tram line opens" in client.get(urls["ben"]).content.decode()
    assert not renewed & {article(site, site.match), "rugby"}


def test_a_role_changed_renews_the_story_and_not_the_authors_other_stories(client, site):
    entry = Byline.objects.create(article=site.tram, author=site.ben, role="Photographs by", position=1)
    urls = site.urls()
    warm(client, urls)
    entry.role = "Video by"
    entry.save()
    renewed = stale(client, urls)
    assert {article(site, site.tram), "ben"} <= renewed
    assert "video by" in client.get(urls[article(site, site.tram)]).content.decode()
    assert not renewed & {article(site, site.match), article(site, site.ferry), "rugby", "harbour"}


def test_a_subsection_rename_renews_its_pages_not_the_others(client, site):
    urls = site.urls()
    warm(client, urls)
    site.city.name = "Metro"
    site.city.save()
    renewed = stale(client, urls)
    assert {"city", "news", article(site, site.ferry), "home"} <= renewed  # breadcrumb, cards, subsections
    assert "Metro" in client.get(urls[article(site, site.tram)]).content.decode()
    assert not renewed & {"sport", "rugby", "ben", article(site, site.match), article(site, site.race)}


def test_a_top_section_rename_renews_every_page_navigation(client, site):
    urls = site.urls()
    warm(client, urls)
    site.sport.name = "Sports"
    site.sport.save()
    renewed = stale(client, urls)
    html_pages = {name for name in urls if "feed" not in name}
    assert html_pages <= renewed
    assert ">Sports</a>" in client.get(urls[article(site, site.ferry)]).content.decode()


def test_deleting_a_story_renews_what_showed_it(client, site):
    urls = site.urls()
    warm(client, urls)
    gone = article(site, site.bridge)
    site.bridge.delete()
    renewed = stale(client, {k: v for k, v in urls.items() if k != gone})
    assert {"home", "list", "city", "news", "harbour", "ann", article(site, site.ferry)} <= renewed
    assert "Bridge repairs begin" not in client.get(urls["city"]).content.decode()
    assert not renewed & {"sport", "rugby", "ben", article(site, site.race)}


def test_a_scheduled_story_going_live_renews_only_the_lists_it_joins(client, site, monkeypatch):
    soon = ArticleFactory(
        title="Rowing club wins",
        category=site.sport,
        authors=[site.ben],
        tags=["rowing"],
        published_at=timezone.now() + dt.timedelta(minutes=5),
    )
    urls = site.urls()
    del urls[article(site, soon)]
    warm(client, urls)
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    renewed = stale(client, urls)
    assert {"home", "list", "feed", "sport", "ben", "sport-feed"} <= renewed
    assert "Rowing club wins" in client.get(urls["sport"]).content.decode()
    assert not renewed & {"news", "city", "harbour", "ann", article(site, site.ferry), article(site, site.tram)}
    assert client.get(soon.get_absolute_url()).status_code == 200


def test_arranging_the_front_page_renews_the_home_page_alone(client, site, monkeypatch):
    urls = site.urls()
    warm(client, urls)
    front_page = FrontPageFactory(slots__lead=site.race, slots__top=[site.cup])
    assert stale(client, urls) == {"home"}
    assert "Rowing race postponed" in client.get(urls["home"]).content.decode().split("Latest")[0]
    warm(client, urls)
    front_page.slots.filter(article=site.cup).update(article=site.tram)  # no signal: must not matter…
    front_page.slots.get(article=site.tram).save()  # …once saved
    assert stale(client, urls) == {"home"}
    warm(client, urls)
    # A scheduled arrangement renews the home page when it is saved and again when it goes live.
    FrontPageFactory(slots__lead=site.ferry, goes_live_at=timezone.now() + dt.timedelta(minutes=5))
    assert stale(client, urls) == {"home"}
    warm(client, urls)
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert stale(client, urls) == {"home"}


def test_pages_name_what_they_show_for_the_edge(client, site, settings):
    page = client.get(site.ferry.get_absolute_url())
    keys = set(page["Surrogate-Key"].split(" "))
    assert {f"a{site.ferry.pk}", f"p{site.ferry.pk}", f"s{site.city.pk}", f"u{site.ann.pk}"} <= keys
    assert set(page["Cache-Tag"].split(",")) == keys
    assert page["X-Page-Cache"] == "miss"
    hit = client.get(site.ferry.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit" and hit["Surrogate-Key"] == page["Surrogate-Key"]
    section = client.get(site.city.get_absolute_url())
    assert {f"ls{site.city.pk}", f"a{site.ferry.pk}", f"a{site.tram.pk}"} <= set(section["Surrogate-Key"].split())
    settings.SURROGATE_KEY_HEADER, settings.CACHE_TAG_HEADER = "xkey", ""
    cache.clear()
    renamed = client.get(site.city.get_absolute_url())
    assert "xkey" in renamed and "Cache-Tag" not in renamed and "Surrogate-Key" not in renamed


def test_a_lost_cache_never_serves_a_stale_page(client, site):
    """With the sequence or a page's versions evicted, kept pages are rebuilt, never trusted."""
    from articles.freshness import entries

    urls = site.urls()
    warm(client, urls)
    cache.delete(entries.SEQUENCE_KEY)
    assert stale(client, urls) == set(urls)
    warm(client, urls)
    site.race.title = "Rowing race moved"
    site.race.save()
    cache.delete(entries.VERSION_PREFIX + f"a{site.race.pk}")  # changed, then evicted
    page = client.get(urls[article(site, site.race)])
    assert page["X-Page-Cache"] == "miss" and "Rowing race moved" in page.content.decode()


def every_reader_page(site):
    """Every address a reader (or a feed reader, or a crawler) can ask for on the site."""
    urls = {reverse("articles:home"), reverse("articles:list"), reverse("articles:list") + "?page=2"}
    urls.add(reverse("articles:sections"))
    urls |= {reverse(name) for name in ("articles:feed", "articles:feed-atom", "articles:news-sitemap", "sitemap")}
    urls |= {f"/sitemaps/{kind}.xml" for kind in ("articles", "sections", "tags", "authors")}
    urls |= {reverse("articles:search") + f"?q={word}" for word in ("ferry", "rugby", "harbour", "Metro")}
    for section in Category.objects.all():
        urls |= {section.get_absolute_url(), reverse("articles:category-feed", kwargs={"path": section.path})}
    for tag in Tag.objects.all():
        urls |= {tag.get_absolute_url(), reverse("articles:tag-feed-atom", kwargs={"slug": tag.slug})}
    for author in Author.objects.all():
        urls |= {author.get_absolute_url(), reverse("articles:author-feed", kwargs={"slug": author.slug})}
    # The content API is never kept (no-cache): it must never differ from the database either.
    urls |= {reverse(name) for name in ("api:articles", "api:sections", "api:authors", "api:tags")}
    for story in Article.objects.filter(coverage_start__isnull=False):  # live coverage (issue 14)
        urls.add(story.get_absolute_url() + "updates.json")
        for entry in LiveEntry.objects.filter(article=story):
            urls.add(story.get_absolute_url() + f"updates.json?after={entry.pk}")
            urls.add(story.get_absolute_url() + f"updates/?before={entry.pk}")
    for story in Article.objects.all():
        urls.add(story.get_absolute_url())
        urls.add(reverse("api:article", kwargs={"pk": story.pk}))
        when = timezone.localtime(story.published_at or story.created_at)
        urls |= {f"/{when:%Y}/", f"/{when:%Y/%m}/", f"/{when:%Y/%m/%d}/"}
    return sorted(urls)


def answers(client, urls):
    return {url: (r.status_code, timeless(r.content)) for url in urls for r in [client.get(url)]}


def timeless(content: bytes) -> bytes:
    """A feed with no items is dated when it is built (Django's feeds): that is not staleness."""
    if b"<rss" in content and b"<item>" not in content:
        return re.sub(rb"<lastBuildDate>[^<]*</lastBuildDate>", b"", content)
    if b"<feed" in content and b"<entry>" not in content:
        return re.sub(rb"<updated>[^<]*</updated>", b"", content)
    return content


def test_stale_page_hunt(client, site, monkeypatch):
    """Rounds of every kind of editorial change (the front page's arrangement and its stories,
    linked translations: a version published, going live, retitled, linked, unlinked); after
    each, every page served through the caches must be byte for byte what the same database
    gives with nothing cached."""
    now = timezone.now()
    for n in range(22):  # a second page of the all-stories list
        ArticleFactory(title=f"Filler {n}", category=site.city, published_at=now - dt.timedelta(days=80 + n))
    draft = ArticleFactory(title="Ferry strike called off", category=site.city, status=Article.Status.DRAFT)
    soon = ArticleFactory(title="Metro ferry starts", category=site.city, published_at=now + dt.timedelta(hours=1))
    # Versions of the ferry story in other languages: a draft and a scheduled one, published later.
    Article.objects.filter(pk=draft.pk).update(language="zh-hans", translation_key="ferry")
    Article.objects.filter(pk=soon.pk).update(language="ja", translation_key="ferry")
    Article.objects.filter(pk=site.ferry.pk).update(translation_key="ferry")
    site.ferry.refresh_from_db()

    def arrange_the_front_page():
        # Stories the later rounds edit, unpublish, retract, redate, move and delete.
        FrontPageFactory(
            slots__lead=site.match,
            slots__top=[site.bridge, site.ferry, site.cup],
            slots__rails=[(site.sport, site.tram), (site.news, site.race)],
        )

    def schedule_a_front_page():  # goes live when time passes
        FrontPageFactory(slots__lead=site.tram, slots__top=[soon], goes_live_at=now + dt.timedelta(minutes=90))

    def edit():
        site.ferry.title, site.ferry.standfirst = "Ferry timetable changes again", "Later boats."
        site.ferry.save()

    def live_coverage(action):
        from tests.utils import logged_in

        editor = logged_in(UserFactory(groups=["Editors"]))
        changelist = reverse("admin:articles_article_changelist")
        assert editor.post(changelist, {"action": action, "_selected_action": [site.ferry.pk]}).status_code == 302

    def go_live():
        live_coverage("start_live_coverage")

    def post_entries():
        ferry = Article.objects.get(pk=site.ferry.pk)
        for n in range(23):  # an older-updates page
            LiveEntry.objects.create(article=ferry, body_source=f"Ferry update {n}.", author=site.ann)
        LiveEntry.objects.create(article=ferry, body_source="A writer's draft.", status=LiveEntry.Status.DRAFT)

    def pin_edit_and_approve():
        entries = LiveEntry.objects.filter(article=site.ferry.pk).order_by("pk")
        oldest = entries.first()
        oldest.pinned, oldest.key_event = True, True
        oldest.save()
        edited = entries[5]
        edited.body_source = "Ferry update, corrected."
        edited.save()
        draft = entries.get(status=LiveEntry.Status.DRAFT)
        draft.status = LiveEntry.Status.PUBLISHED
        draft.save()

    def delete_entry():
        LiveEntry.objects.filter(article=site.ferry.pk).order_by("-pk")[3].delete()

    def end_coverage():
        live_coverage("end_live_coverage")

    def publish():
        draft.status = Article.Status.PUBLISHED
        draft.save()

    def unpublish():
        site.match.refresh_from_db()
        site.match.status = Article.Status.DRAFT
        site.match.save()

    def retract():
        from articles import workflow

        editor = UserFactory(groups=["Editors"])
        workflow.retract(Article.objects.get(pk=site.bridge.pk), editor, "retraction", "The repairs were not ours.")

    def time_passes():
        later = now + dt.timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)

    def redate_and_feature():
        site.tram.refresh_from_db()
        site.tram.published_at, site.tram.featured = site.tram.published_at - dt.timedelta(days=400), True
        site.tram.save()

    def choose_navigation():
        site.city.refresh_from_db()
        site.city.in_navigation, site.city.navigation_order = True, 1
        site.city.save()

    def set_banner():
        Banner.objects.create(
            text="Storm warning", link="/category/news/", expires_at=timezone.now() + dt.timedelta(minutes=30)
        )

    def banner_expires():
        later = timezone.now() + dt.timedelta(hours=1)
        monkeypatch.setattr(timezone, "now", lambda: later)

    def rename_things():
        site.city.name = "Metro"
        site.city.save()
        site.ann.name = "Ann Editor"
        site.ann.save()
        Tag.objects.filter(pk=site.harbour.pk).update(name="Harbour news")  # no signal: must not matter…
        Tag.objects.get(pk=site.harbour.pk).save()  # …once saved

    def move_and_regroup():
        Article.objects.filter(pk=site.bridge.pk).bulk_edit(category=site.sport)
        site.cup.tags.add("harbour")
        site.race.tags.clear()
        Byline.objects.create(article=site.race, author=site.ann, position=1)

    def new_sections():
        weather = CategoryFactory(name="Weather")
        site.city.parent = weather
        site.city.save()

    def merge_and_delete():
        merge_tags(Tag.objects.get(slug="harbour"), [Tag.objects.get(slug="rugby")])
        site.cup.delete()

    def link_translations():
        from articles import translations

        race = Article.objects.get(pk=site.race.pk)  # joins the ferry story's versions, as Korean
        race.language = "ko"
        linking = translations.plan(race, [Article.objects.get(pk=site.ferry.pk)])
        race.translation_key = linking.key
        race.save()  # as the admin saves it: the article first, then the others it links
        translations.link(race, linking)

    def unlink_translation():
        from articles import translations

        ferry = Article.objects.get(pk=site.ferry.pk)
        linking = translations.plan(ferry, [])
        ferry.translation_key = linking.key
        ferry.save()
        translations.link(ferry, linking)

    def import_one(tmp=None):
        from tests.utils import run_import, write

        folder = write_dir()
        write(
            folder,
            "storm.md",
            "---\ntitle: Storm warning for the ferry\ncategories: [City]\ntags: [harbour]\n---\nBody",
        )
        run_import(folder)

    import tempfile
    from pathlib import Path

    def write_dir():
        return Path(tempfile.mkdtemp())

    rounds = [
        arrange_the_front_page,
        edit,
        go_live,
        post_entries,
        pin_edit_and_approve,
        delete_entry,
        end_coverage,
        publish,
        unpublish,
        retract,
        schedule_a_front_page,
        time_passes,
        redate_and_feature,
        choose_navigation,
        set_banner,
        banner_expires,
        rename_things,
        move_and_regroup,
        new_sections,
        merge_and_delete,
        link_translations,
        unlink_translation,
        import_one,
    ]
    urls = every_reader_page(site)
    answers(client, urls)  # kept; each round's uncached pass then keeps them for the next
    for change in rounds:
        change()
        urls = sorted(set(urls) | set(every_reader_page(site)))
        served = answers(client, urls)
        cache.clear()
        truth = answers(client, urls)
        differ = [url for url in urls if served[url] != truth[url]]
        assert not differ, f"after {change.__name__}, stale: {differ}"
    assert soon.get_absolute_url() in urls and truth[soon.get_absolute_url()][0] == 200


def commands(server) -> dict:
    """How many times the Redis server ran each command so far (its INFO commandstats)."""
    stats = server.info("commandstats")
    return {name.removeprefix("cmdstat_"): row["calls"] for name, row in stats.items() if name != "cmdstat_info"}


def test_a_page_cache_hit_is_one_round_trip_to_redis(client, private_redis):
    story = ArticleFactory(title="One trip")
    for url in (reverse("articles:home"), story.get_absolute_url()):
        client.get(url)  # kept
        before = commands(private_redis)
        response = client.get(url)
        after = commands(private_redis)
        assert response["X-Page-Cache"] == "hit" and b"One trip" in response.content
        ran = {name: calls - before.get(name, 0) for name, calls in after.items() if calls != before.get(name, 0)}
        assert ran == {"mget": 1}, ran
    story.title = "Two trips"
    story.save()
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"
    assert b"Two trips" in client.get(story.get_absolute_url()).content


def test_bulk_paths_invalidate_once_per_batch_and_again_on_commit(
    client, site, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from articles.freshness import entries
    from tests.utils import run_import, write

    urls = site.urls()
    warm(client, urls)
    calls = []
    real = entries.invalidate
    monkeypatch.setattr(entries, "invalidate", lambda names: calls.append(set(names)) or real(names))
    for n in range(5):
        write(tmp_path, f"{n}.md", f"---\ntitle: Imported {n}\ncategories: [Sport]\ntags: [rugby]\n---\nBody")
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tmp_path)
    assert len(calls) == 2 and calls[0] == calls[1]  # the batch's names: now, and once committed
    renewed = stale(client, urls)
    assert {"home", "list", "rugby"} <= renewed and "Imported 4" in client.get(urls["rugby"]).content.decode()
    assert not renewed & {"harbour", "ann", article(site, site.ferry)}
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        merge_tags(site.harbour, [site.rugby])
    assert len(calls) == 2


def test_a_related_storys_fix_rebuilds_only_the_part_around_a_story(client, site):
    """The ferry's page links the bridge story (related, same tag): fixing the bridge's headline
    renews the ferry's page, but its own head and body stay kept fragments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = site.ferry.get_absolute_url()
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    site.bridge.title = "Bridge repairs finished early"
    site.bridge.save()
    with CaptureQueriesContext(connection) as after_fix:
        page = client.get(url)
    assert page["X-Page-Cache"] == "miss" and "Bridge repairs finished early" in page.content.decode()
    assert len(after_fix) < len(cold) - 2, [q["sql"][:80] for q in after_fix.captured_queries]
    assert not any("articles_byline" in q["sql"] for q in after_fix.captured_queries)  # the head and body were kept


def test_a_restored_byline_renews_the_authors_page(client, site):
    import reversion
    from reversion.models import Version

    from articles import history

    with reversion.create_revision():
        Byline.objects.create(article=site.race, author=site.ann, position=1)
        site.race.save()
    version = Version.objects.get_for_object(site.race).first()
    Byline.objects.filter(article=site.race, author=site.ann).delete()
    urls = site.urls()
    warm(client, urls)
    history.restore(site.race, version, UserFactory(is_superuser=True))
    assert "Rowing race postponed" in client.get(urls["ann"]).content.decode()


def test_a_subsection_moving_between_top_sections_renews_the_home_rails(client, site):
    home = reverse("articles:home")
    warm(client, {"home": home})
    site.city.parent = site.sport
    site.city.save()
    served = client.get(home).content
    cache.clear()
    assert served == client.get(home).content


def test_a_section_address_taken_by_another_section_shows_the_new_one(client, site):
    url = site.city.get_absolute_url()
    client.get(url)
    site.city.slug = "metro"
    site.city.save()
    successor = CategoryFactory(name="City desk", slug="city", parent=site.news)
    ArticleFactory(title="Only in the new one", category=successor)
    assert successor.get_absolute_url() == url
    served = client.get(url).content.decode()
    assert "Only in the new one" in served and "Ferry timetable changes" not in served


def test_a_version_evicted_after_a_change_never_revives_an_old_entry(site):
    """A reader that read before a change, whose name's version was then evicted, keeps
    nothing that counts as fresh."""
    from articles.freshness import entries

    name = f"a{site.race.pk}"
    with entries.reading():
        site.race.title = "Rowing race moved"
        site.race.save()  # the change lands while this reading is building
        cache.delete(entries.VERSION_PREFIX + name)  # and its version is evicted
        entries._reading.get().versions.pop(name, None)
        entries.store("probe", "built from the old headline", {name})
    with entries.reading():
        assert entries.load("probe") is entries.MISSING


def test_a_cache_that_is_down_never_fails_a_page_or_a_save(client, site, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    page = client.get(site.ferry.get_absolute_url())
    assert page.status_code == 200 and "Ferry timetable changes" in page.content.decode()
    site.ferry.title = "Saved while the cache is down"
    site.ferry.save()
    assert "Saved while the cache is down" in client.get(site.ferry.get_absolute_url()).content.decode()


def test_with_no_cache_at_all_an_edit_is_shown_and_no_outage_is_reported(client, settings, caplog):
    """`CACHE_URL=dummycache://` (how the cold-page bench runs, and a valid setting): nothing is
    kept, so nothing goes stale; a save must not take the cache for one that is down."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    story = ArticleFactory(title="Tram line opens")
    assert "Tram line opens" in client.get(story.get_absolute_url()).content.decode()
    story.title = "Tram line opens early"
    story.save()
    assert "Tram line opens early" in client.get(story.get_absolute_url()).content.decode()
    assert not [r for r in caplog.records if "freshness" in r.getMessage()], caplog.text
