"""A reader and an editor in a real browser: Debian's Chromium driven by Playwright."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.utils import open_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_walks_home_section_article_author(page, live_server):
    top = CategoryFactory(name="新媒体")
    section = CategoryFactory(name="头条", parent=CategoryFactory(name="观察者网", parent=top))
    author = AuthorFactory(name="观察者网", bio="新闻网站。")
    ArticleFactory(
        title="中国特使解振华：中美合作是唯一正确选择",
        category=section,
        authors=[author],
        tags=["气候"],
        body_source="<p>气候变化是全人类面临的共同挑战。</p>",
        body_format=Article.BodyFormat.HTML,
        published_at=dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC),
        featured=True,
    )
    ArticleFactory(title="Draft nobody may see", status=Article.Status.DRAFT, category=section)

    page.goto(live_server.url)
    assert "Draft nobody may see" not in page.content()
    shot(page, "home")
    page.get_by_role("link", name="中国特使解振华：中美合作是唯一正确选择").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "中国特使解振华：中美合作是唯一正确选择"
    assert page.locator(".article-meta time").inner_text().startswith("2021-11-12")
    assert page.locator(".breadcrumb li").all_inner_texts() == ["新媒体", "观察者网", "头条"]
    shot(page, "article")

    page.locator(".breadcrumb").get_by_role("link", name="观察者网").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "观察者网"
    shot(page, "section")
    page.get_by_role("link", name="中国特使解振华：中美合作是唯一正确选择").first.click()
    page.get_by_role("link", name="气候", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Tagged “气候”"
    shot(page, "tag")
    page.locator(".card__meta").get_by_role("link", name="观察者网").first.click()
    page.wait_for_load_state()
    assert "新闻网站。" in page.content()
    shot(page, "author")

    search = page.get_by_role("searchbox", name="Search stories").first
    search.fill("气候")
    search.press("Enter")
    page.wait_for_load_state()
    assert page.locator(".search-result mark").first.inner_text() == "气候"
    assert "1 story matches “气候”." in page.content()
    shot(page, "search")
    assert page.console_errors == []


def test_layout_fits_the_viewport(page, live_server):
    ArticleFactory(title="A headline long enough to wrap on a phone screen " * 2, published_at=timezone.now())
    page.goto(live_server.url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the {page.viewport_name} viewport"
    # The skip link is the first thing keyboard users reach.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


@pytest.fixture
def desktop(browser):
    with open_page(browser, "desktop") as page:
        yield page


def test_editor_writes_and_publishes_with_autocomplete(desktop, live_server, django_user_model):
    page = desktop
    django_user_model.objects.create_superuser("superuser", "superuser@example.com", "a-long-password")
    AuthorFactory(name="观察者网")
    CategoryFactory(name="头条", parent=CategoryFactory(name="新媒体"))
    ArticleFactory(tags=["气候"])

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_username", "superuser")
    page.fill("#id_password", "a-long-password")
    page.click("input[type=submit]")
    page.fill("#id_title", "海港市新渡轮下水")
    page.press("#id_title", "Tab")  # the admin fills the slug in on change
    assert page.input_value("#id_slug") == "海港市新渡轮下水"  # prepopulated, Chinese kept
    page.fill("#id_body_source", "新船今天下水。<script>alert(1)</script>")
    page.select_option("#id_status", "published")

    def pick(container, term, option):
        page.locator(container).locator(".select2-selection").click()
        # Into the open search box itself: typing before it has the focus would land in the body.
        page.locator(".select2-container--open .select2-search__field").first.press_sequentially(term)
        page.locator(".select2-results__option", has_text=option).first.click()

    pick(".field-category", "头条", "新媒体 / 头条")
    pick("#bylines-0", "观察", "观察者网")
    pick(".field-tags", "气候", "气候")  # an existing tag
    pick(".field-tags", "渡轮", "渡轮")  # a new one, typed
    shot(page, "admin-article-form")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert page.console_errors == []

    article = Article.objects.get(title="海港市新渡轮下水")
    assert article.is_published()
    assert str(article.category) == "新媒体 / 头条"
    assert [a.name for a in article.byline] == ["观察者网"]
    assert sorted(article.tags.names()) == ["气候", "渡轮"]
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator("h1").inner_text() == "海港市新渡轮下水"
    assert page.locator(".article-body").inner_html() == "<p>新船今天下水。</p>"
