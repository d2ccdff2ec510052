"""Lead images in a real browser (issue 13): the editor clicks the picture's subject to set the
focal point the crops keep, under the admin's strict Content-Security-Policy; publishing without
alt text is refused with the reason in view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_lead_images import two_halves
from tests.utils import BROWSER_PASSWORD, shot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, django_user_model):
    """The admin, signed in as a superuser (console errors and CSP violations fail the test)."""
    django_user_model.objects.create_superuser("superuser", "superuser@example.com", BROWSER_PASSWORD)
    with signed_in_page(browser, live_server, "superuser") as page:
        yield page


def test_clicking_the_preview_sets_the_focal_point_the_crops_keep(page):
    article = ArticleFactory(lead_image=SimpleUploadedFile("halves.jpg", two_halves()), lead_image_alt="Two colours")
    page.goto(f"{page.live_url}/admin/articles/article/{article.pk}/change/")
    picture = page.locator("[data-focus-picker] img")
    picture.wait_for(state="visible")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.2, "y": box["height"] * 0.3})
    assert abs(int(page.input_value("#id_lead_image_focus_x")) - 20) <= 1
    assert abs(int(page.input_value("#id_lead_image_focus_y")) - 30) <= 1
    assert page.locator(".focus-picker--ready .focus-picker__mark").is_visible()
    shot(page, "admin-lead-image-focal-point")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    saved = Article.objects.get(pk=article.pk)
    assert abs(saved.lead_image_focus_x - 20) <= 1 and saved.lead_renditions["focus"] == list(saved.lead_image_focus)


def test_publishing_without_alt_text_is_refused_with_the_reason_in_view(page):
    article = ArticleFactory(status="draft", published_at=None, lead_image_url="https://images.example/a.jpg")
    page.goto(f"{page.live_url}/admin/articles/article/{article.pk}/change/")
    assert page.locator("#prepublish-check").is_visible()
    page.click("text=Publish now")
    error = page.locator(".messagelist .error")
    error.wait_for(state="visible")
    assert "has a lead image with no alt text" in error.inner_text()
    shot(page, "admin-publish-refused-without-alt")
    assert Article.objects.get(pk=article.pk).status == "draft"
