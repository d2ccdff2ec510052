"""The header on a phone (issue 14): with a corpus's worth of sections the navigation is one
menu button that opens by keyboard, and the first story and the breaking-news banner are on
the first screen; on a laptop the chosen sections are in a line."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Banner
from tests.factories import ArticleFactory, CategoryFactory
from tests.utils import SCREENSHOTS, editor_page, open_page, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}  # the smallest phone screen in common use


@pytest.fixture
def newsroom():
    """33 top sections, as the corpus imports them; editors chose two; a story in each."""
    now = timezone.now()
    sections = [CategoryFactory(name=f"Desk {n:02d}") for n in range(33)]
    for n, section in enumerate(sections):
        ArticleFactory(title=f"Story from desk {n:02d}", category=section, published_at=now - dt.timedelta(hours=n + 1))
    for order, section in enumerate((sections[30], sections[4]), start=1):
        section.in_navigation, section.navigation_order = True, order
        section.save()
    Banner.objects.create(
        text="Storm warning: ferries cancelled", link="/sections/", expires_at=now + dt.timedelta(hours=1)
    )
    return sections


def test_on_a_phone_the_sections_are_a_menu_the_keyboard_opens_and_the_first_story_is_on_screen(
    browser, live_server, newsroom
):
    with open_page(browser, "phone") as page:
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + "/")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "navigation-phone.png")
        first_story = page.locator("main .card__title").first
        assert first_story.inner_text() == "Story from desk 00"
        box = first_story.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box  # seen without scrolling
        banner = page.locator(".breaking")
        assert banner.is_visible() and banner.bounding_box()["y"] < box["y"]
        section_link = page.locator(".site-nav").get_by_role("link", name="Desk 30", exact=True)
        assert not section_link.is_visible()  # behind the menu button
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                break
        else:
            pytest.fail("Tab never reached the sections menu")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Sections"
        page.keyboard.press("Enter")
        assert section_link.is_visible()
        names = page.locator(".site-nav .sections a").all_inner_texts()
        assert names == ["All stories", "Desk 30", "Desk 04", "All sections"]
        page.screenshot(path=SCREENSHOTS / "navigation-phone-open.png")
        page.keyboard.press("Tab")  # All stories
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Desk 30"
        page.keyboard.press("Enter")
        page.wait_for_url(live_server.url + newsroom[30].get_absolute_url())
        assert page.locator("h1").inner_text() == "Desk 30"
        page.keyboard.press("Tab")  # the skip link, then the site name, then the menu: closed again
        assert not page.locator(".site-nav").get_by_role("link", name="Desk 04", exact=True).is_visible()
        assert page.console_errors == []


def test_on_a_laptop_the_chosen_sections_are_in_a_line_and_the_rest_one_click_away(browser, live_server, newsroom):
    with open_page(browser, "desktop") as page:
        page.goto(live_server.url + "/")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "navigation-desktop.png")
        assert not page.locator(".site-nav summary").is_visible()
        links = page.locator(".site-nav .sections a")
        assert links.all_inner_texts() == ["All stories", "Desk 30", "Desk 04", "All sections"]
        tops = {round(link.bounding_box()["y"]) for link in links.all()}
        assert len(tops) == 1, tops  # one line
        for _ in range(6):  # the skip link, the site name, then the sections: no button between
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Desk 30":
                break
        else:
            pytest.fail("Tab never reached the chosen sections")
        page.get_by_role("link", name="All sections").click()
        page.wait_for_url(live_server.url + "/sections/")
        assert page.locator(".section-tree a").count() == 33
        assert page.console_errors == []


def test_a_banner_an_editor_sets_appears_on_a_readers_cached_page_and_goes_at_its_expiry(
    browser, live_server, settings
):
    """Through the admin's form and a reader's browser, with the page cache on: the banner is on
    the next page the reader loads, and gone from the first one loaded after its expiry."""
    settings.PAGE_CACHE_SECONDS = 300
    ArticleFactory(title="Harbour reopens")
    with open_page(browser, "desktop") as reader:
        reader.goto(live_server.url + "/")
        assert reader.locator(".breaking").count() == 0
        with editor_page(browser, live_server) as editor:
            editor.goto(f"{live_server.url}/admin/articles/banner/add/")
            expiry = timezone.localtime(timezone.now() + dt.timedelta(seconds=6)).replace(microsecond=0)
            editor.fill("#id_text", "Storm warning: ferries cancelled")
            editor.fill("#id_link", "/sections/")
            editor.fill("#id_expires_at_0", expiry.strftime("%Y-%m-%d"))
            editor.fill("#id_expires_at_1", expiry.strftime("%H:%M:%S"))
            with editor.expect_navigation():
                editor.click("input[name=_save]")
            assert Banner.objects.get().expires_at == expiry
        reader.reload()
        assert "Storm warning: ferries cancelled" in reader.locator(".breaking").inner_text()
        reader.reload()  # kept: the page cache answers, banner and all
        assert reader.locator(".breaking").count() == 1
        wait_for(lambda: timezone.now() > expiry, timeout=10, what="the banner's expiry")
        reader.reload()
        assert reader.locator(".breaking").count() == 0
