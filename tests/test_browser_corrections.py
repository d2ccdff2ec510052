"""Corrections in a real browser: an editor corrects a published story in the admin, and a reader
sees the correction dated, with the story's "Updated" time, in its JSON-LD, on /corrections/ and
in its feed; a minor edit changes neither."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Correction
from tests.factories import ArticleFactory
from tests.utils import editor_page, open_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JSON_LD = "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"


def save(page):
    with page.expect_navigation():
        page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_an_editor_corrects_a_story_and_a_reader_sees_it_dated_with_the_updated_time(browser, live_server, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    story = ArticleFactory(title="Bridge opens", body_source="The new bridge is 400 metres long.")
    story_url = f"{live_server.url}{story.get_absolute_url()}"
    change_url = f"{live_server.url}/admin/articles/article/{story.pk}/change/"
    with editor_page(browser, live_server) as editor, open_page(browser, "phone") as reader:
        reader.goto(story_url)
        assert reader.locator(".updated").count() == 0 and reader.locator(".correction").count() == 0

        editor.goto(change_url)
        editor.locator("#corrections-group .add-row a").click()
        editor.select_option("#id_corrections-0-kind", "correction")
        editor.fill("#id_corrections-0-text", "The bridge is 40 metres long, not 400.")
        save(editor)
        correction = Correction.objects.get()
        when = timezone.localtime(correction.published_at)

        reader.reload()
        shown = reader.locator("section.corrections .correction")
        assert "The bridge is 40 metres long, not 400." in shown.inner_text()
        assert shown.locator("time").first.inner_text() == when.strftime("%Y-%m-%d %H:%M CST")
        updated = reader.locator(".article-meta .updated time")
        assert updated.inner_text() == when.strftime("%Y-%m-%d %H:%M CST")
        data = reader.evaluate(JSON_LD)
        assert data["@type"] == "NewsArticle" and data["dateModified"] == updated.get_attribute("datetime")
        assert [(c["@type"], c["text"]) for c in data["correction"]] == [
            ("CorrectionComment", "The bridge is 40 metres long, not 400.")
        ]
        shot(reader, "story-with-correction")

        editor.goto(change_url)
        editor.fill("#id_body_source", "The new bridge is 40 metres long; see the correction.")
        editor.check("#id_minor_edit")
        save(editor)
        reader.reload()
        assert "see the correction" in reader.locator(".article-body").inner_text()
        assert reader.locator(".article-meta .updated time").get_attribute("datetime") == data["dateModified"]
        assert reader.evaluate(JSON_LD)["dateModified"] == data["dateModified"]
        assert reader.locator(".correction").count() == 1

        reader.goto(f"{live_server.url}/corrections/")
        listed = reader.locator(".correction-list > li").first
        assert "Bridge opens" in listed.inner_text() and "40 metres long, not 400" in listed.inner_text()
        shot(reader, "corrections-page")
        listed.locator("a").first.click()
        reader.wait_for_url(f"{story_url}#correction-{correction.pk}")
        feed = reader.request.get(f"{live_server.url}/corrections/feed/")
        assert feed.ok and "Correction: Bridge opens" in feed.text() and "40 metres long, not 400" in feed.text()
        assert reader.console_errors == []
