"""Live coverage in a real browser (issue 14), with the page cache on as in production: a
reader's open page learns of an entry an editor posts in the admin, announces it in a polite
live region as a "1 new update" button, and inserts it on request without a reload, below the
pinned entry; once the editor ends coverage the page stops asking."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from articles.models import LiveEntry
from tests.factories import ArticleFactory
from tests.utils import editor_page, open_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL_SECONDS = 0.5
WITHIN_POLLING = 10_000  # ms: many intervals, for a loaded machine; nothing here measures time


def expect(target):
    return pytest.importorskip("playwright.sync_api").expect(target)


def test_a_reader_sees_an_editors_entry_announced_without_reload_and_polling_stops_when_coverage_ends(
    browser, live_server, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    settings.LIVE_POLL_SECONDS = POLL_SECONDS
    story = ArticleFactory(title="Storm makes landfall", coverage_start=timezone.now() - dt.timedelta(hours=1))
    pinned = LiveEntry.objects.create(article=story, body_source="What we know so far.", pinned=True)
    LiveEntry.objects.create(article=story, body_source="Winds pick up on the coast.")
    with open_page(browser, "desktop") as reader:
        polls = []
        reader.on("request", lambda request: "updates.json" in request.url and polls.append(request.url))
        reader.goto(live_server.url + story.get_absolute_url())
        reader.evaluate("window.notReloaded = true")
        expect(reader.locator(".live-entry").first).to_have_attribute("id", f"entry-{pinned.pk}")
        announcer = reader.locator('.live [role="status"][aria-live="polite"]')
        button = announcer.get_by_role("button")
        expect(button).to_be_hidden()
        with editor_page(browser, live_server) as editor:
            editor.goto(f"{live_server.url}/admin/articles/liveentry/add/?article={story.pk}")
            editor.fill("#id_body_source", "The **eye** is over the harbour.")
            with editor.expect_navigation():
                editor.click("input[name=_save]")
            new = LiveEntry.objects.get(body_source__startswith="The **eye**")
            expect(button).to_have_text("1 new update", timeout=WITHIN_POLLING)
            assert reader.locator(f"#entry-{new.pk}").count() == 0  # nothing moved under the reader
            shot(reader, "live-announced")
            button.click()
            expect(reader.locator(f"#entry-{new.pk}")).to_contain_text("The eye is over the harbour.")
            expect(button).to_be_hidden()
            order = reader.locator(".live-entry").evaluate_all("nodes => nodes.map(n => n.id)")
            assert order[:2] == [f"entry-{pinned.pk}", f"entry-{new.pk}"]  # the pinned entry stays first
            assert reader.evaluate("window.notReloaded") is True
            shot(reader, "live-inserted")

            editor.goto(f"{live_server.url}/admin/articles/article/")
            editor.check(f"input[name=_selected_action][value='{story.pk}']")
            editor.select_option("select[name=action]", "end_live_coverage")
            with editor.expect_navigation():
                editor.click("button[name=index]")
        live = reader.locator("[data-live-updates]")
        expect(live).not_to_have_attribute("data-live-polling", re.compile(".*"), timeout=WITHIN_POLLING)
        asked = len(polls)
        reader.wait_for_timeout(POLL_SECONDS * 1000 * 6)  # six intervals: time for any poll left to show
        assert len(polls) == asked, polls[asked:]
        assert all(re.search(r"updates\.json\?after=\d+$", url) for url in polls)
        assert reader.evaluate("window.notReloaded") is True
        reader.reload()
        assert "Coverage ended" in reader.content() and reader.locator(f"#entry-{new.pk}").count() == 1
        assert reader.console_errors == []
