"""A real Varnish in front (Debian's varnishd and vmod xkey, with newsroom/varnish/newsroom.vcl):
pages are kept at the edge, each committed change purges exactly the pages that showed it,
scheduled stories appear (and a breaking-news banner leaves) on time, signed-in pages pass, and an origin outage is answered
from stale pages."""

import datetime as dt
import http.server
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone

from articles import workflow
from articles.models import Article
from newsroom.edge import purge as purge_at_the_edge
from newsroom.models import Job
from tests.factories import ArticleFactory, CategoryFactory, FrontPageFactory, Site, UserFactory
from tests.utils import TcpProxy, Varnish, free_port, wait_for

PURGE_DEADLINE = 2.0  # seconds from commit to a purged page at the edge, on a loaded 2-core CI machine


@pytest.fixture
def origin(live_server):
    """The test server behind a proxy, so a test can take the origin away."""
    port = int(live_server.url.rsplit(":", 1)[1])
    proxy = TcpProxy(port)
    yield proxy
    proxy.close()


@pytest.fixture
def edge(origin, settings, tmp_path):
    if not shutil.which("varnishd") and not shutil.which("/usr/sbin/varnishd"):
        pytest.skip("varnishd not found (apt-get install varnish varnish-modules)")
    varnish = Varnish(origin.port, tmp_path)
    settings.EDGE_PURGE = "varnish"
    settings.EDGE_PURGE_URLS = [varnish.url + "/"]
    settings.EDGE_CACHE_SECONDS = 86_400
    settings.JOBS_MODE = "thread"  # purges run after commit, in this process, as under `make run`
    settings.JOBS_RELAY_SECONDS = 0.1
    varnish.get("/")  # the first request starts this process's job runner
    yield varnish
    varnish.stop()


def edge_state(edge, path):
    status, headers, text = edge.get(path)
    return status, headers.get("X-Edge-Cache"), text


def purges_done():
    def settled():
        return not Job.objects.exclude(state="done").filter(run_at__lte=timezone.now()).exists()

    wait_for(settled, what="the purges of earlier changes")


def warm(edge, urls):
    purges_done()
    for url in urls.values():
        edge.get(url)
    misses = [name for name, url in urls.items() if edge_state(edge, url)[1] != "hit"]
    assert not misses, f"not kept at the edge on a second visit: {misses}"


def renewed_within_deadline(edge, urls, expected: set):
    """Waits up to PURGE_DEADLINE for every page in `expected` to be fetched afresh; returns
    the names of all pages that were (the others are asked once each, after)."""
    deadline = time.monotonic() + PURGE_DEADLINE
    pending = set(expected)
    renewed = set()
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            if edge_state(edge, urls[name])[1] == "miss":
                renewed.add(name)
                pending.discard(name)
        time.sleep(0.02)
    assert not pending, f"still served from the edge {PURGE_DEADLINE} s after the commit: {sorted(pending)}"
    return renewed | {name for name in set(urls) - expected if edge_state(edge, urls[name])[1] != "hit"}


def test_reader_pages_are_kept_at_the_edge_for_long_with_stale_allowances(edge):
    story = ArticleFactory(title="Harbour lights festival")
    purges_done()  # those of its own publication
    first = edge.get(story.get_absolute_url())
    assert first[0] == 200 and first[1]["X-Edge-Cache"] == "miss"
    second = edge.get(story.get_absolute_url())
    assert second[1]["X-Edge-Cache"] == "hit" and "Harbour lights festival" in second[2]
    control = second[1]["Cache-Control"]
    for part in ("public", "max-age=60", "s-maxage=86400", "stale-while-revalidate=30", "stale-if-error=86400"):
        assert part in control
    assert "Surrogate-Key" not in second[1] and "xkey" not in second[1]  # the edge's business only


def test_each_change_purges_exactly_the_pages_that_showed_it_within_a_second(edge):
    site = Site()
    urls = site.urls()
    del urls["feed"], urls["sport-feed"]  # feeds: the same lists as their pages
    race, cup, match = (f"article-{a.pk}" for a in (site.race, site.cup, site.match))
    ferry, bridge, tram = (f"article-{a.pk}" for a in (site.ferry, site.bridge, site.tram))
    warm(edge, urls)

    site.race.title = "Rowing race moved to Sunday"  # an edit
    site.race.save()
    touched = {"home", "list", "sport", "ben", race, cup}
    assert renewed_within_deadline(edge, urls, touched) == touched
    assert "Rowing race moved to Sunday" in edge.get(urls["sport"])[2]

    warm(edge, urls)
    site.tram.status = Article.Status.DRAFT  # unpublishing
    site.tram.save()
    touched = {"home", "list", "news", "city", "ann", tram, bridge}
    assert renewed_within_deadline(edge, urls, touched) >= touched
    assert edge.get(urls[tram])[0] == 404
    assert edge_state(edge, urls["sport"])[1] == "hit" and edge_state(edge, urls[race])[1] == "hit"

    del urls[tram]
    warm(edge, urls)
    site.match.category = site.city  # a move
    site.match.save()
    renewed = renewed_within_deadline(edge, urls, {"sport", "city", "news", match})
    assert not renewed & {ferry, "harbour", "ann"}
    assert "Rugby final tonight" in edge.get(urls["city"])[2]

    warm(edge, urls)
    site.ferry.tags.add("rugby")  # retagging
    renewed = renewed_within_deadline(edge, urls, {"rugby", ferry})
    assert not renewed & {"sport", "ben", race}
    assert "Ferry timetable changes" in edge.get(urls["rugby"])[2]

    warm(edge, urls)
    ArticleFactory(title="Regatta results", category=site.sport, published_at=timezone.now())  # publishing
    renewed = renewed_within_deadline(edge, urls, {"home", "list", "sport"})
    assert not renewed & {"city", "harbour", "ann", ferry, bridge}
    assert "Regatta results" in edge.get(urls["home"])[2]


def test_a_scheduled_story_appears_at_the_edge_on_time(edge):
    section = CategoryFactory(name="Weather")
    ArticleFactory(title="Calm seas this week", category=section)
    due = timezone.now() + dt.timedelta(seconds=3)
    ArticleFactory(title="Storm warning issued", category=section, published_at=due)
    purges_done()  # those of the publication (the scheduled story's own job waits for its time)
    for path in ("/", section.get_absolute_url()):
        edge.get(path)
        status, kept, text = edge_state(edge, path)
        assert kept == "hit" and "Calm seas this week" in text and "Storm warning issued" not in text
    wait_for(lambda: timezone.now() >= due, what="the publication time")
    for path in ("/", section.get_absolute_url()):
        page = wait_for(
            lambda p=path: "Storm warning issued" in (text := edge.get(p)[2]) and text,
            timeout=PURGE_DEADLINE + 1.0,  # plus the runner's look at what came due, and a cold page
            every=0.05,
            what=f"the scheduled story on {path} at the edge",
        )
        assert "Calm seas this week" in page


def test_the_front_pages_arrangements_reach_the_edge_when_saved_and_when_scheduled(edge):
    """An arrangement saved purges the home page at the edge; a scheduled one takes over there
    at its time, with nothing saved then."""
    section = CategoryFactory(name="Harbour")
    calm, storm, ferry = (ArticleFactory(title=t, category=section) for t in ("Calm seas", "Storm due", "Ferry late"))
    purges_done()
    edge.get("/")
    assert edge_state(edge, "/")[1] == "hit"
    FrontPageFactory(slots__lead=ferry)
    page = wait_for(
        lambda: (
            'class="lead"' in (text := edge.get("/")[2]) and "Ferry late" in text.split("latest-heading")[0] and text
        ),
        timeout=PURGE_DEADLINE,
        what="the arranged lead at the edge",
    )
    assert "Calm seas" in page
    due = timezone.now() + dt.timedelta(seconds=3)
    FrontPageFactory(slots__lead=storm, goes_live_at=due)
    purges_done()  # the save's (the arrangement's own job waits for its time)
    edge.get("/")
    status, kept, text = edge_state(edge, "/")
    assert kept == "hit" and "Ferry late" in text.split("latest-heading")[0]
    wait_for(lambda: timezone.now() >= due, what="the arrangement's time")
    wait_for(
        lambda: "Storm due" in edge.get("/")[2].split("latest-heading")[0],
        timeout=PURGE_DEADLINE + 1.0,  # plus the runner's look at what came due, and a cold page
        what="the scheduled arrangement at the edge",
    )
    assert calm


def test_a_banner_is_on_every_page_at_the_edge_once_set_and_gone_at_its_expiry(edge):
    from articles.models import Banner

    section = CategoryFactory(name="Weather")
    story = ArticleFactory(title="Calm seas this week", category=section)
    paths = ["/", section.get_absolute_url(), story.get_absolute_url()]
    purges_done()
    for path in paths:
        edge.get(path)
        assert edge_state(edge, path)[1] == "hit"
    expiry = timezone.now() + dt.timedelta(seconds=3)
    Banner.objects.create(text="Storm warning issued", expires_at=expiry)
    for path in paths:
        wait_for(
            lambda p=path: "Storm warning issued" in edge.get(p)[2],
            timeout=PURGE_DEADLINE,
            what=f"the banner on {path} at the edge",
        )
    assert edge_state(edge, paths[0])[1] == "hit"  # kept again, with the banner
    wait_for(lambda: timezone.now() >= expiry, what="the banner's expiry")
    for path in paths:
        page = wait_for(
            lambda p=path: "Storm warning issued" not in (text := edge.get(p)[2]) and text,
            timeout=PURGE_DEADLINE + 1.0,  # plus the runner's look at what came due, and a cold page
            what=f"the banner gone from {path} at the edge",
        )
        assert "Calm seas this week" in page


def test_admin_and_signed_in_pages_are_never_kept_at_the_edge(edge, client, superuser):
    ArticleFactory(title="Council votes on budget")
    for _ in range(2):
        assert edge_state(edge, "/admin/login/")[1] == "miss"
    cookie = f"sessionid={superuser.cookies['sessionid'].value}"
    for _ in range(2):
        status, kept, text = edge_state(edge, "/admin/")
        assert kept == "miss"
    for _ in range(2):
        status, headers, text = edge.get("/", headers={"Cookie": cookie})
        assert headers["X-Edge-Cache"] == "miss"
    status, headers, text = edge.get("/admin/", headers={"Cookie": cookie})
    assert status == 200 and "Site administration" in text and headers["X-Edge-Cache"] == "miss"
    assert "Site administration" not in edge.get("/admin/")[2]  # never served to someone else


def test_parameters_pages_do_not_read_get_the_kept_page_and_fill_nothing_at_the_edge(edge):
    section = CategoryFactory(name="Harbour")
    story = ArticleFactory(title="Ferry strike ends", category=section)
    purges_done()
    kept = ["/", section.get_absolute_url(), story.get_absolute_url()]
    for path in kept:
        assert "strike ends" in edge.get(path)[2], path
    before = edge.counters()["MAIN.backend_req"]
    for n in range(20):
        junk = [
            f"/?utm_source=mail{n}&fbclid={n}",
            f"{section.get_absolute_url()}?q=junk{n}&page=1",
            f"{story.get_absolute_url()}?page=x{n}",
        ]
        for path in junk:
            status, hit, text = edge_state(edge, path)
            assert (status, hit) == (200, "hit"), (path, status, hit)
            assert "strike ends" in text, path
    assert edge.counters()["MAIN.backend_req"] == before  # not one of the 60 reached the origin
    assert edge.get(section.get_absolute_url() + "?page=2")[0] == 404  # a real parameter still counts: no page 2


def test_addresses_without_end_are_answered_but_never_kept_at_the_edge(edge):
    """Searches, and parameters the edge keeps but the page does not read (a page number on a
    story), go to the origin, which answers them from its bounded caches: kept at the edge,
    each distinct address would take the place of a page readers ask for."""
    story = ArticleFactory(title="Ferry strike ends")
    purges_done()
    for path in ("/search/?q=ferry", f"{story.get_absolute_url()}?page=7"):
        for _ in range(2):
            status, headers, text = edge.get(path)
            assert status == 200 and "strike ends" in text, path
            assert headers["X-Edge-Cache"] == "miss" and "private" in headers["Cache-Control"], path
    edge.get(story.get_absolute_url())
    assert edge_state(edge, story.get_absolute_url())[1] == "hit"  # its own address is kept


def test_the_edge_keeps_exactly_the_parameters_reader_pages_read():
    """The VCL's list of parameters that make a page of their own is the views' declarations."""
    from django.urls import get_resolver

    def declared(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from declared(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "view_class", pattern.callback)
                yield from getattr(view, "query_parameters", None) or ()

    vcl = (Path(__file__).resolve().parent.parent / "newsroom" / "varnish" / "newsroom.vcl").read_text()
    names = set(re.findall(r"[(|!]([a-z]+)=", vcl.split("sub newsroom_reader_query")[1].split("\n}\n")[0]))
    assert names == set(declared(get_resolver().url_patterns))


def test_an_origin_outage_is_answered_from_stale_pages(edge, origin, settings):
    settings.EDGE_CACHE_SECONDS = 1
    story = ArticleFactory(title="Bridge reopens after repairs")
    purges_done()
    for path in ("/", story.get_absolute_url()):
        edge.get(path)
    origin.cut()
    time.sleep(2)  # past the pages' time at the edge, and the probe has found the origin gone
    for path in ("/", story.get_absolute_url()):
        status, headers, text = edge.get(path)
        assert status == 200 and "Bridge reopens after repairs" in text, (path, status, dict(headers), text[:300])
    origin.restore()


def test_a_purge_that_fails_never_fails_the_save_and_is_retried_then_shown_to_staff(settings, superuser, db):
    settings.EDGE_PURGE = "varnish"
    settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]  # a Varnish that is not there
    settings.JOBS_MAX_ATTEMPTS = 1
    story = ArticleFactory(title="Tide tables for the new year")
    story.title = "Tide tables for 2027"
    story.save()
    assert Article.objects.get(pk=story.pk).title == "Tide tables for 2027"
    failed = Job.objects.filter(name="edge.purge", state="failed").latest("pk")  # the edit's
    assert f"p{story.pk}" in failed.args[0]
    assert failed.error.startswith("PurgeFailed: PURGE http://127.0.0.1:") and "refused" in failed.error
    page = superuser.get("/admin/newsroom/job/", follow=True).content.decode()
    assert "edge.purge" in page and "PurgeFailed" in page


class _PurgeAPI(http.server.BaseHTTPRequestHandler):
    calls: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.calls.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    "vendor, path, per_call",
    [("fastly", "/service/svc-1/purge", 256), ("cloudflare", "/zones/svc-1/purge_cache", 30)],
)
def test_cdn_purges_send_every_name_in_batches_the_vendor_accepts(settings, vendor, path, per_call):
    """Against a local HTTP server standing in for the vendor's API (not reachable from here):
    the request shape of their purge-by-key APIs, every name sent, in batches of their limit."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PurgeAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _PurgeAPI.calls = []
    settings.EDGE_PURGE, settings.EDGE_SERVICE_ID, settings.EDGE_API_TOKEN = vendor, "svc-1", "token-1"
    settings.EDGE_API_URL = f"http://127.0.0.1:{server.server_port}"
    names = [f"a{n}" for n in range(300)]
    try:
        purge_at_the_edge(names)
    finally:
        server.shutdown()
    sent = []
    for called, headers, body in _PurgeAPI.calls:
        assert called == path
        if vendor == "fastly":
            assert headers["Fastly-Key"] == "token-1"
            batch = headers["Surrogate-Key"].split(" ")
        else:
            assert headers["Authorization"] == "Bearer token-1"
            batch = json.loads(body)["tags"]
        assert len(batch) <= per_call
        sent += batch
    assert sorted(sent) == sorted(names) and len(_PurgeAPI.calls) == -(-300 // per_call)


def test_a_varnish_host_that_is_down_does_not_keep_the_others_stale(edge, settings):
    story = ArticleFactory(title="Lifeboat crew honoured")
    purges_done()
    edge.get(story.get_absolute_url())
    assert edge_state(edge, story.get_absolute_url())[1] == "hit"
    down = f"http://127.0.0.1:{free_port()}/"
    settings.EDGE_PURGE_URLS = [down, edge.url + "/"]
    story.title = "Lifeboat crew honoured by the city"
    story.save()
    wait_for(
        lambda: "honoured by the city" in edge.get(story.get_absolute_url())[2],
        timeout=PURGE_DEADLINE,
        what="the purge at the host that is up",
    )
    failed = wait_for(lambda: Job.objects.filter(name="edge.purge", error__contains=down).first(), what="the retry")
    assert failed.state == "pending"  # tried again later, for the host that was down


def test_a_retraction_purges_every_page_that_showed_the_story(edge):
    """What an unpublish purges, a retraction purges; and its address answers 410 from then on."""
    site = Site()
    urls = site.urls()
    del urls["feed"], urls["sport-feed"]
    tram, bridge, race = (f"article-{a.pk}" for a in (site.tram, site.bridge, site.race))
    warm(edge, urls)
    editor = UserFactory(groups=["Editors"])
    workflow.retract(Article.objects.get(pk=site.tram.pk), editor, "retraction", "The line did not open.")
    touched = {"home", "list", "news", "city", "ann", tram, bridge}
    assert renewed_within_deadline(edge, urls, touched) >= touched
    status, _, text = edge_state(edge, urls[tram])
    assert status == 410 and "The line did not open." in text
    assert all("Tram line opens" not in edge.get(urls[name])[2] for name in touched - {tram})
    assert edge_state(edge, urls["sport"])[1] == "hit" and edge_state(edge, urls[race])[1] == "hit"


def test_a_live_storys_updates_endpoint_is_kept_per_cursor_and_purged_by_a_new_entry(edge):
    """Every open page polls the same `?after=`: the edge keeps it (junk parameters get the
    kept one), a different cursor is its own answer, and a new entry purges it at once."""
    from articles.models import LiveEntry

    story = ArticleFactory(title="Count under way", coverage_start=timezone.now())
    first = LiveEntry.objects.create(article=story, body_source="Polls closed.")
    updates = f"{story.get_absolute_url()}updates.json?after={first.pk}"
    purges_done()
    edge.get(updates)
    status, state, text = edge_state(edge, updates + "&utm_source=feed")
    assert (status, state) == (200, "hit") and json.loads(text)["entries"] == []
    assert edge_state(edge, f"{story.get_absolute_url()}updates.json?after={first.pk + 1000}")[1] == "miss"
    second = LiveEntry.objects.create(article=story, body_source="First ward declared.")
    purges_done()
    status, state, text = edge_state(edge, updates)
    assert state == "miss" and [e["id"] for e in json.loads(text)["entries"]] == [second.pk]
