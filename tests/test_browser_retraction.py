"""Retraction in a real browser, with the page cache on as in production: an editor retracts an
imported story in the admin; its address and an old address answer 410 Gone with the note; a
crawl of every reader page — lists and their later pages, sections, tags, authors, date
archives, searches for its headline's words, every feed and sitemap, the news sitemap, other
stories' related and previous/next links — kept before the retraction, finds it nowhere; and a
re-import of its file with --overwrite reports it retracted and leaves it so."""

import datetime as dt
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.utils import timezone

from articles.models import Article, OldAddress, Retraction
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.utils import editor_page, open_page, run_import, shot, write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Quarry blast injures nine"
NOTE = "We have retracted this story: the injuries it reported did not happen."
SOURCE = f"""---
title: {HEADLINE}
date: {{date}}
categories: [City]
tags: [quarries, harbour]
author: Una Reporter
aliases: [/old/quarry-blast]
---
Nine workers were hurt in a blast at the north quarry, the council said.
"""
FEEDS = ("/feed/", "/feed/atom/", "/corrections/feed/")
SITEMAPS = ("/sitemap.xml", "/sitemap-news.xml")


def a_site(tmp_path):
    """A city section with 25 stories a day apart (two pages of lists), tagged and bylined like
    the one that is imported into their middle, and one in another section."""
    now = timezone.now()
    city = CategoryFactory(name="City")
    ann = AuthorFactory(name="Ann Writer")
    for n in range(25):
        ArticleFactory(
            title=f"Harbour story {n}",
            category=city,
            authors=[ann],
            tags=["harbour"],
            published_at=now - dt.timedelta(days=n, hours=2),
        )
    ArticleFactory(title="Rugby final tonight", category=CategoryFactory(name="Sport"), tags=["rugby"])
    when = timezone.localtime(now - dt.timedelta(days=1, hours=5))  # in the news sitemap's two days
    path = write(tmp_path, "quarry.md", SOURCE.format(date=when.strftime("%Y-%m-%d %H:%M:%S")))
    run_import(tmp_path)
    return Article.objects.get(source_path=str(path.resolve())), path


def crawl(page, base, starts):
    """Every reader address reachable from `starts` through links, feeds' and sitemaps' entries:
    {address: (status, text)}. Fetched through the browser's context (no session: the page cache
    serves it)."""
    seen, queue, found = set(), list(starts), {}
    while queue:
        url = queue.pop()
        parts = urlsplit(urljoin(base, url))
        address = parts.path + (f"?{parts.query}" if parts.query else "")
        if address in seen or address.startswith(("/admin/", "/static/", "/media/")):
            continue
        seen.add(address)
        response = page.request.get(base + address)
        text = response.text()
        found[address] = (response.status, text, response.headers.get("x-page-cache"))
        if response.status != 200:
            continue
        if "xml" in response.headers.get("content-type", ""):
            links = re.findall(r"<(?:loc|link|id)>([^<]+)</", text) + re.findall(r'<link[^>]+href="([^"]+)"', text)
        else:
            links = re.findall(r'<(?:a|link)\b[^>]*\bhref="([^"#]+)', text)
        for link in links:
            link = link.replace("&amp;", "&")
            target = urlsplit(urljoin(base + address, link))
            if target.netloc in ("", urlsplit(base).netloc, "example.com"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def mentions(url, text, address):
    """Whether a page shows the story: its headline (highlighting aside, and not as a search
    page's own query) or its address."""
    words = re.sub(r"<[^>]+>", "", text)
    if url.startswith("/search/"):
        words = words.replace(parse_qs(urlsplit(url).query)["q"][0], "")
    return HEADLINE in words or address in text


def test_an_editor_retracts_a_story_and_it_is_gone_from_every_reader_page(browser, live_server, settings, tmp_path):
    settings.PAGE_CACHE_SECONDS = 300  # as in production: pages kept before the retraction
    story, source = a_site(tmp_path)
    address = story.get_absolute_url()
    assert OldAddress.objects.filter(article=story, path="/old/quarry-blast").exists()
    words = ["quarry", "blast", "injures", "Quarry blast injures nine", "north quarry"]
    archives = {  # linked from no page: a reader types them
        f"/{day:%Y}/{suffix}"
        for day in (timezone.localtime(a.published_at) for a in Article.objects.all())
        for suffix in ("", f"{day:%m}/", f"{day:%m/%d}/", f"{day:%m}/?page=2")
    }
    starts = ["/", "/articles/", *FEEDS, *SITEMAPS, *(f"/search/?q={w}" for w in words), *archives]
    base = live_server.url
    with open_page(browser, "phone") as reader:
        before = crawl(reader, base, starts)
        shown_on = {url for url, (status, text, _) in before.items() if status == 200 and mentions(url, text, address)}
        # The crawl reached what it must: lists' later pages, its neighbours, archives, tags, feeds.
        assert {"/", "/articles/", "/feed/", "/feed/atom/", "/sitemap-news.xml", "/tag/quarries/"} <= shown_on
        assert {"/articles/?page=2", "/category/city/?page=2", "/tag/harbour/?page=2"} <= set(before)
        assert {"/search/?q=quarry", "/author/una-reporter/", "/category/city/"} <= shown_on
        when = timezone.localtime(story.published_at)
        assert {f"/{when:%Y}/", f"/{when:%Y/%m}/", f"/{when:%Y/%m/%d}/"} <= shown_on
        neighbours = [u for u in shown_on if u.startswith(f"/{when:%Y}/") and u.count("/") == 5 and u != address]
        assert len(neighbours) >= 3, neighbours  # newer, older and related stories link it
        assert reader.request.get(base + "/articles/?page=2").headers.get("x-page-cache") == "hit"

        with editor_page(browser, live_server) as editor:
            editor.goto(f"{base}/admin/articles/article/{story.pk}/change/")
            with editor.expect_navigation():
                editor.click("text=Retract or take down…")
            assert "410 Gone" in editor.locator("#retract-form").inner_text()
            editor.check("input[name=kind][value=retraction]")
            editor.fill("#id_note", NOTE)
            shot(editor, "retract-confirmation")
            with editor.expect_navigation():
                editor.click("#retract-form input[type=submit]")
            assert "was retracted" in editor.locator(".messagelist .success").inner_text()
            assert NOTE in editor.locator("#retraction-record").inner_text()
        assert Retraction.objects.get(article=story).note == NOTE

        for gone in (address, "/old/quarry-blast", "/old/quarry-blast/"):
            response = reader.goto(base + gone)
            assert response.status == 410, gone
            assert reader.locator("h1").inner_text() == HEADLINE
            assert NOTE in reader.locator(".retraction-note").inner_text()
            assert reader.locator("meta[name=robots]").get_attribute("content") == "noindex"
        shot(reader, "retracted-story")

        after = crawl(reader, base, [*starts, *before])
        assert after[address][0] == 410
        showing = [url for url, (_, text, _) in after.items() if url != address and mentions(url, text, address)]
        assert showing == []
        assert after["/tag/quarries/"][0] == 404 and after["/author/una-reporter/"][0] == 404
        assert all(after[url][0] == 200 for url in ("/", "/articles/?page=2", "/sitemap-news.xml"))
        # Not everything was built again: pages the story never touched stayed kept.
        assert after["/tag/rugby/"][2] == "hit"
        assert [e for e in reader.console_errors if "status of 410 (Gone)" not in e] == []  # only the answers asked for

        out, err = run_import(tmp_path, overwrite=True)
        retracted_at = timezone.localtime(Retraction.objects.get().retracted_at).strftime("%Y-%m-%d %H:%M %Z")
        assert f"{source.resolve()}: skipped, retracted on {retracted_at}" in err
        assert "1 kept retracted" in out
        assert Article.objects.get(pk=story.pk).status == Article.Status.RETRACTED
        assert reader.goto(base + address).status == 410
        assert HEADLINE not in reader.request.get(base + "/").text()
