"""The edited front page in a real browser, with the page cache on as in production: an editor
searches for stories, orders them with the up/down buttons from the keyboard alone and by drag
and drop, saves, and a reader's home page (kept before) follows the arrangement."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import FrontPageSlot
from tests.factories import ArticleFactory, CategoryFactory
from tests.utils import editor_page, open_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = ["Harbour tunnel vote", "Library opens late", "Tram fares frozen", "Night market returns"]


def expect(target):
    return pytest.importorskip("playwright.sync_api").expect(target)


def pick(page, row, term, option):
    """Search for a story in a slot's autocomplete (select2) and choose it."""
    page.locator(f"#{row} .field-article .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option).first.click()


def top_rows(page):
    return page.locator("#slots-top-group tbody tr.form-row:not(.empty-form)")


def chosen(page) -> list[str]:
    """The stories of the top-story rows, in the order on screen."""
    rows = top_rows(page)
    return [rows.nth(n).locator(".select2-selection__rendered").inner_text().strip() for n in range(rows.count())]


def order_on(html: str, titles) -> list[str]:
    found = {t: html.index(f">{t}<") for t in titles if f">{t}<" in html}
    return sorted(found, key=found.get)


def test_an_editor_arranges_the_front_page_by_keyboard_and_by_drag_and_drop(browser, live_server, settings):
    settings.PAGE_CACHE_SECONDS = 300
    now = timezone.now()
    section = CategoryFactory(name="City")
    for n, title in enumerate(TITLES):
        ArticleFactory(title=title, category=section, published_at=now - dt.timedelta(days=n + 1))
    ArticleFactory(title="Newest of all", category=section, published_at=now - dt.timedelta(hours=1))

    with open_page(browser, "desktop") as reader:
        reader.goto(live_server.url + "/")
        assert "Newest of all" in reader.locator("section.lead").inner_text()  # kept, before any arrangement

        with editor_page(browser, live_server) as page:
            page.goto(f"{live_server.url}/admin/articles/frontpage/add/")
            page.fill("#id_name", "Evening front page")
            pick(page, "slots-lead-0", "tunnel", TITLES[0])
            for n, title in enumerate(TITLES[1:]):
                pick(page, f"slots-top-{n}", title.split()[0], title)
            assert chosen(page) == TITLES[1:]

            # Keyboard alone: the third row's "Move up" button, pressed twice, takes it to the top.
            move_up = page.locator("#slots-top-2").get_by_role("button", name="Move up")
            move_up.focus()
            page.keyboard.press("Enter")
            expect(page.locator("#slots-top-group [role=status]")).to_have_text("Moved to position 2 of 3.")
            expect(move_up).to_be_focused()  # the focus stays with the row it moved
            page.keyboard.press("Space")
            expect(page.locator("#slots-top-group [role=status]")).to_have_text("Moved to position 1 of 3.")
            assert chosen(page) == [TITLES[3], TITLES[1], TITLES[2]]
            # Tab reaches the next button: "Move down" of the same row.
            page.keyboard.press("Tab")
            expect(page.locator("#slots-top-2").get_by_role("button", name="Move down")).to_be_focused()
            page.keyboard.press("Enter")
            assert chosen(page) == [TITLES[1], TITLES[3], TITLES[2]]

            # Drag and drop: a story added in a new row, dragged by its handle onto the first row.
            page.locator("#slots-top-group .add-row a").click()
            pick(page, "slots-top-3", "Newest", "Newest of all")
            top_rows(page).nth(3).locator(".slot-handle").drag_to(top_rows(page).nth(0))
            assert chosen(page) == ["Newest of all", TITLES[1], TITLES[3], TITLES[2]]
            shot(page, "front-page-arranged")

            with page.expect_navigation():
                page.locator("input[name=_save]").click()
            expect(page.locator(".messagelist")).to_contain_text("was added successfully")

        slots = FrontPageSlot.objects.filter(place="top").order_by("position")
        assert [slot.article.title for slot in slots] == ["Newest of all", TITLES[1], TITLES[3], TITLES[2]]
    # A reader's browser of its own (the first one keeps the page for its max-age, as browsers
    # do); the server's kept page was renewed by the save.
    with open_page(browser, "phone") as reader:
        reader.goto(live_server.url + "/")
        assert TITLES[0] in reader.locator("section.lead").inner_text()
        top = reader.locator("section[aria-labelledby=latest-heading]")
        expect(top.locator("h2")).to_have_text("Top stories")
        assert order_on(top.inner_html(), ["Newest of all", *TITLES[1:]]) == [
            "Newest of all",
            TITLES[1],
            TITLES[3],
            TITLES[2],
        ]
        shot(reader, "front-page-reader")
        assert reader.console_errors == []
