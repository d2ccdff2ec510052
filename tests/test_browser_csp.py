"""The Content-Security-Policy in a real browser: reader pages and the admin's editor work under
it, and a script that got into a reader page anyway does not run."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory
from tests.utils import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_pages_work_under_the_policy_and_an_injected_script_does_not_run(browser, live_server):
    section = CategoryFactory(name="City")
    article = ArticleFactory(
        title="Ferry timetable changes",
        category=section,
        tags=["harbour"],
        body_source="<p>The <em>morning</em> ferry leaves earlier.</p>",
        body_format=Article.BodyFormat.HTML,
    )
    with open_page(browser, "desktop") as page:
        for url in ("/", "/articles/", section.get_absolute_url(), "/tag/harbour/", "/search/?q=ferry"):
            page.goto(live_server.url + url)
            assert page.locator("main").get_by_text("timetable").first.is_visible(), url
        page.goto(live_server.url + article.get_absolute_url())
        headline = "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent).headline"
        assert page.evaluate(headline) == "Ferry timetable changes"  # JSON-LD is data: untouched
        assert page.console_errors == []

        # Had a script slipped past the sanitiser, the browser would refuse to run it.
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.ran = true';"
            " document.body.append(s); }"
        )
        page.evaluate(
            "() => { document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.ran = true\">'); }"
        )
        page.wait_for_timeout(200)
        assert page.evaluate("window.ran") is None
        assert any(e.startswith("CSP violation: script-src") for e in page.console_errors), page.console_errors


def test_the_body_editor_types_and_saves_under_the_admins_policy(browser, live_server, django_user_model):
    django_user_model.objects.create_superuser("superuser", "superuser@example.com", "a-long-password")
    article = ArticleFactory(body_source="<p>Ferry <strong>launched</strong>.</p>", body_format="html")
    with open_page(browser, "desktop") as page:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "superuser")
        page.fill("#id_password", "a-long-password")
        page.click("input[type=submit]")
        response = page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        editor = page.locator("trix-editor")
        editor.wait_for(state="visible", timeout=5000)
        assert page.locator("trix-toolbar [data-trix-attribute=bold]").is_visible()
        editor.click()
        page.keyboard.press("End")
        page.keyboard.type("On time")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        assert page.console_errors == []
    article.refresh_from_db()
    assert article.body.startswith("<p>Ferry <strong>launched</strong>.") and "On time" in article.body
