"""Images readers and search engines can use (issue 13): alt text apart from the caption, required
(or the image marked decorative) before any publication; body images without alt listed before
publishing; credit and rights on the page and in JSON-LD; 16:9, 4:3 and square crops around an
editor's focal point; the first screen's image fetched first."""

import datetime as dt
import io
import json
import re

import extruct
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import bylines
from articles.models import Article, Correction
from tests.factories import ArticleFactory, AuthorFactory
from tests.utils import article_form, change_form, run_import, write

pytestmark = pytest.mark.django_db
Status = Article.Status
CHANGELIST = "admin:articles_article_changelist"


def two_halves(size=(2400, 1600)) -> bytes:
    """A JPEG whose left half is red and right half blue: a crop shows where it was taken."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def with_upload(content=None, name="harbour.jpg", **fields) -> Article:
    """Saved with an uploaded lead image, and the renditions its job made (jobs run at once in tests)."""
    upload = SimpleUploadedFile(name, content or two_halves())
    return Article.objects.get(pk=ArticleFactory(lead_image=upload, **fields).pk)


def draft_with_remote_image(**fields):
    return ArticleFactory(
        status=Status.DRAFT,
        published_at=None,
        lead_image_url="https://images.example/harbour.jpg",
        lead_image_caption="The harbour at dawn",
        **fields,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def page_of(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def lead_img(html: str) -> str:
    return re.search(r'<figure class="lead-image">\s*(?:\{#.*?#\}\s*)?(<img[^>]*>)', html, re.S).group(1)


def json_ld_of(html: str) -> dict:
    (data,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(data)


def step(client, article, action, **data):
    return client.post(reverse("admin:articles_article_workflow", args=[article.pk, action]), data, follow=True)


REFUSAL = "has a lead image with no alt text"


# --- publishing is refused without alt text, in every path ---------------------------------


def test_publish_and_schedule_buttons_refuse_a_lead_image_without_alt_text_even_by_forged_posts(
    editor, writer, writer_user
):
    article = draft_with_remote_image(created_by=writer_user)
    response = step(editor, article, "publish")
    assert any(REFUSAL in m for m in messages_of(response))
    later = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = step(editor, article, "schedule", publish_at=later)
    assert any(REFUSAL in m for m in messages_of(response))
    assert writer.post(reverse("admin:articles_article_workflow", args=[article.pk, "publish"])).status_code == 403
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.published_at is None

    Article.objects.filter(pk=article.pk).update(lead_image_alt="Fishing boats moored in the harbour at dawn")
    response = step(editor, article, "publish")
    assert Article.objects.get(pk=article.pk).is_published(), messages_of(response)


def test_a_decorative_lead_image_may_be_published_with_an_empty_alt(editor, client):
    article = draft_with_remote_image(lead_image_decorative=True)
    step(editor, article, "publish")
    article.refresh_from_db()
    assert article.is_published()
    assert 'alt=""' in lead_img(page_of(client, article))


def test_the_change_form_refuses_to_publish_a_lead_image_without_alt_text(editor):
    article = draft_with_remote_image()
    data = change_form(article, status="published")
    response = editor.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert REFUSAL in " ".join(response.context["adminform"].form.errors["lead_image_alt"])
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    # Nor when adding a story, now or scheduled.
    for when in ("", (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%d")):
        data = article_form(
            title="A new picture story",
            lead_image_url="https://images.example/a.jpg",
            published_at_0=when,
            published_at_1="09:00:00" if when else "",
        )
        response = editor.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 200 and not Article.objects.filter(title="A new picture story").exists()
    data["lead_image_alt"] = "A crowd on the quay"
    assert editor.post(reverse("admin:articles_article_add"), data).status_code == 302


def test_a_live_story_cannot_take_a_new_lead_image_without_alt_text(editor):
    article = ArticleFactory(lead_image_url="https://images.example/old.jpg", lead_image_alt="The old quay")
    data = change_form(article, lead_image_url="https://images.example/new.jpg", lead_image_alt="")
    response = editor.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200 and REFUSAL in str(response.context["adminform"].form.errors)
    assert Article.objects.get(pk=article.pk).lead_image_url.endswith("old.jpg")


def test_bulk_publishing_leaves_stories_without_alt_text_and_says_why(editor):
    blocked = draft_with_remote_image(title="Harbour pictures")
    ready = draft_with_remote_image(lead_image_alt="Boats in the harbour")
    data = {"action": "publish_selected", "index": "0", "_selected_action": [blocked.pk, ready.pk]}
    response = editor.post(reverse(CHANGELIST), data, follow=True)
    shown = messages_of(response)
    assert "1 article published. 1 left as it was." in shown
    assert any("“Harbour pictures” " + REFUSAL in m for m in shown)
    assert not Article.objects.get(pk=blocked.pk).is_published() and Article.objects.get(pk=ready.pk).is_published()


def test_an_import_publishes_without_alt_text_and_the_story_shows_in_the_prepublish_check(tmp_path, editor):
    write(
        tmp_path,
        "p.md",
        "---\ntitle: Imported picture\ndate: 2021-05-01\nimage: https://images.example/p.jpg\n---\nText.\n",
    )
    run_import(tmp_path)
    article = Article.objects.get(title="Imported picture")
    assert article.is_published()  # its source published it: the importer does not refuse
    html = editor.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'id="prepublish-check"' in html and "The lead image has no alt text" in html
    ArticleFactory(title="Described", lead_image_url="https://images.example/d.jpg", lead_image_alt="A quay")
    listed = editor.get(reverse(CHANGELIST), {"lead_image_alt": "missing"}).context["cl"].result_list
    assert [a.title for a in listed] == ["Imported picture"]  # editors find what to describe
    # Its other edits still save; a new publication (after unpublishing) is refused until it has alt.
    response = editor.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, title="Imported picture, retitled"),
    )
    assert response.status_code == 302
    step(editor, article, "unpublish")
    assert any(REFUSAL in m for m in messages_of(step(editor, article, "publish")))


def test_giving_a_live_story_alt_text_does_not_freshen_its_dates(editor, client):
    article = ArticleFactory(lead_image_url="https://images.example/p.jpg")  # as imported: no alt
    data = change_form(article, lead_image_alt="A ferry at the quay")
    assert editor.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.lead_image_alt == "A ferry at the quay" and article.updated_after_publication is None
    assert json_ld_of(page_of(client, article))["dateModified"] == timezone.localtime(article.published_at).isoformat()


def test_body_images_without_alt_are_listed_before_publishing_as_a_warning(editor):
    article = ArticleFactory(
        status=Status.DRAFT,
        published_at=None,
        body_source="![](https://images.example/chart.png)\n\n![A map of the ferry routes](https://images.example/map.png)",
    )
    html = editor.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    check = re.search(r'<section class="prepublish-check".*?</section>', html, re.S).group(0)
    assert "https://images.example/chart.png" in check and "map.png" not in check
    step(editor, article, "publish")
    assert Article.objects.get(pk=article.pk).is_published()  # a warning, not a block


# --- on the page ----------------------------------------------------------------------------


def test_the_page_uses_the_alt_text_not_the_caption_and_prints_credit_and_rights(client):
    article = ArticleFactory(
        lead_image_url="https://images.example/harbour.jpg",
        lead_image_caption="The harbour at dawn",
        lead_image_alt="Fishing boats moored along a stone quay",
        lead_image_credit="Photo: Li Wei",
        lead_image_copyright="© 2026 Harbourside Times",
        lead_image_license_url="https://creativecommons.org/licenses/by/4.0/",
        lead_image_acquire_license_url="https://harbourside.example/licensing/",
    )
    html = page_of(client, article)
    image = lead_img(html)
    assert 'alt="Fishing boats moored along a stone quay"' in image
    assert 'fetchpriority="high"' in image and "loading=" not in image
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert "The harbour at dawn" in caption and "Photo: Li Wei" in caption and "© 2026 Harbourside Times" in caption
    assert '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">Licence</a>' in caption
    assert 'href="https://harbourside.example/licensing/"' in caption
    assert '<meta name="robots" content="max-image-preview:large">' in html


def test_chinese_interface_text_for_the_image_rights(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    article = ArticleFactory(
        lead_image_url="https://images.example/a.jpg",
        lead_image_alt="码头",
        lead_image_license_url="https://creativecommons.org/licenses/by/4.0/",
        lead_image_acquire_license_url="https://harbourside.example/licensing/",
    )
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page_of(client, article), re.S).group(1)
    assert ">许可协议</a>" in caption and ">获取图片授权</a>" in caption


def test_the_home_page_lead_image_is_fetched_first_not_lazily(client):
    with_upload(featured=True, lead_image_alt="Boats")
    html = client.get(reverse("articles:home")).content.decode()
    (first,) = re.findall(r'<img class="card__image"[^>]*>', html)
    assert 'fetchpriority="high"' in first and "loading=" not in first


# --- crops around the focal point -----------------------------------------------------------


def test_crops_are_16_9_4_3_and_square_at_1200_px_and_never_upscaled():
    article = with_upload(lead_image_alt="Boats")
    assert [(c["width"], c["height"]) for c in article.lead_crops] == [(1200, 675), (1200, 900), (1200, 1200)]
    small = with_upload(two_halves(size=(800, 600)), name="small.jpg", lead_image_alt="Boats")
    assert [(c["width"], c["height"]) for c in small.lead_crops] == [(800, 450), (800, 600), (600, 600)]


def colour_of(article, ratio="1x1"):
    from django.core.files.storage import default_storage

    name = article.lead_renditions["crops"][ratio]["name"]  # by name: jsonb keeps no key order
    with default_storage.open(name) as file, Image.open(file) as crop:
        return crop.convert("RGB").getpixel((crop.width // 2, crop.height // 2))


def test_the_crops_follow_the_focal_point_the_editor_sets(superuser, client):
    article = with_upload(lead_image_alt="Boats")
    data = change_form(article, lead_image_focus_x="5", lead_image_focus_y="50")
    response = superuser.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    left = Article.objects.get(pk=article.pk)
    red, _, blue = colour_of(left)
    assert red > 150 and blue < 100  # the square crop sits on the left (red) half
    data = change_form(left, lead_image_focus_x="95")
    superuser.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    right = Article.objects.get(pk=article.pk)
    red, _, blue = colour_of(right)
    assert blue > 150 and red < 100
    # Readers' sharing cards take the new 16:9 crop.
    assert f'<meta property="og:image" content="{right.lead_crops[0]["url"]}">' in page_of(client, right)


def test_the_focal_point_is_set_by_plain_numbers_and_a_clickable_preview(superuser):
    article = with_upload(lead_image_alt="Boats")
    html = superuser.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert re.search(r'<input type="number" name="lead_image_focus_x" value="50"[^>]*min="0" max="100"', html)
    assert "data-focus-picker" in html and "js/admin-focal-point.js" in html


# --- structured data ------------------------------------------------------------------------


def structured_data(client, article) -> list[dict]:
    """What a search engine reads from the served page: extruct's JSON-LD extraction."""
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return extruct.extract(response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]


# Google's NewsArticle documentation: no required property; these are its recommended ones.
RECOMMENDED = ("headline", "image", "datePublished", "dateModified", "author", "publisher")


def test_structured_data_of_a_corrected_updated_story_with_a_credited_lead_image_is_complete(editor, client):
    author = AuthorFactory(name="Li Wei")
    article = with_upload(
        title="Ferry service resumes",
        authors=[author],
        published_at=timezone.now() - dt.timedelta(days=3),
        lead_image_alt="The new ferry leaving the quay",
        lead_image_caption="The first crossing",
        lead_image_credit="Photo: Chen Jing",
        lead_image_copyright="© 2026 Harbourside Times",
        lead_image_license_url="https://creativecommons.org/licenses/by-nc/4.0/",
        lead_image_acquire_license_url="https://harbourside.example/licensing/",
    )
    data = change_form(
        article,
        new_correction={"kind": Correction.Kind.CORRECTION, "text": "The ferry carries 300, not 3,000."},
    )
    assert editor.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.updated_after_publication  # the correction updated it substantively

    (item,) = structured_data(client, article)
    assert item["@context"] == "https://schema.org" and item["@type"] == "NewsArticle"
    assert [name for name in RECOMMENDED if not item.get(name)] == []
    assert item["dateModified"] > item["datePublished"]
    assert item["author"] == [
        {"@type": "Person", "name": "Li Wei", "url": f"http://testserver{author.get_absolute_url()}"}
    ]
    assert item["publisher"]["name"] and item["publisher"]["url"]
    assert item["correction"][0]["@type"] == "CorrectionComment"
    assert [(i["width"], i["height"]) for i in item["image"]] == [(1200, 675), (1200, 900), (1200, 1200)]
    for image in item["image"]:
        assert image["@type"] == "ImageObject" and image["url"].startswith("http://testserver/")
        assert image["creditText"] == "Photo: Chen Jing" and image["copyrightNotice"] == "© 2026 Harbourside Times"
        assert image["license"] == "https://creativecommons.org/licenses/by-nc/4.0/"
        assert image["acquireLicensePage"] == "https://harbourside.example/licensing/"
        assert image["caption"] == "The first crossing"


def test_a_story_whose_only_picture_is_in_its_body_gives_search_engines_that_picture(tmp_path, client):
    """The corpus's imported stories had no `image`: their lead images are relative files the
    archive does not ship (kept in the extra data) or placeholders, and their pictures are in the
    body. The body's first image a browser can fetch stands in."""
    write(
        tmp_path,
        "b.md",
        "---\ntitle: Body picture\ndate: 2021-05-01\ncover: missing-cover.jpg\n---\n"
        "![broken](not-shipped.png)\n\n![The quay](https://images.example/quay.jpg)\n",
    )
    run_import(tmp_path)
    article = Article.objects.get(title="Body picture")
    (item,) = structured_data(client, article)
    assert item["image"] == [{"@type": "ImageObject", "url": "https://images.example/quay.jpg"}]


# --- importing and exporting ----------------------------------------------------------------


def test_the_importer_maps_alt_credit_and_rights_keys_and_the_photographer_as_a_fallback_credit(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: With rights\ndate: 2021-05-01\nimage: https://images.example/a.jpg\nimage_alt: Two swans\n"
        "credit: Reuters\nimage_copyright: © Reuters\nimage_license: https://example.org/licence\n---\nText.\n",
    )
    write(
        tmp_path,
        "b.md",
        "---\ntitle: By a photographer\ndate: 2021-05-02\ncover: https://images.example/b.jpg\ncover_alt: A kite\n"
        "photographer: Zhang San\n---\nText.\n",
    )
    run_import(tmp_path)
    a = Article.objects.get(title="With rights")
    assert (a.lead_image_alt, a.lead_image_credit, a.lead_image_copyright) == ("Two swans", "Reuters", "© Reuters")
    assert a.lead_image_license_url == "https://example.org/licence"
    b = Article.objects.get(title="By a photographer")
    assert (b.lead_image_alt, b.lead_image_credit) == ("A kite", "Zhang San")
    # The same key also puts the photographer on the byline, and is not left over in the extra data.
    assert [(e.author.name, e.role) for e in b.bylines.select_related("author")] == [("Zhang San", bylines.PHOTOGRAPHS)]
    assert "photographer" not in b.extra


def test_the_new_image_fields_survive_an_export_and_reimport(tmp_path, settings):
    from django.core.management import call_command

    article = with_upload(
        title="Round trip",
        lead_image_alt="A lighthouse",
        lead_image_decorative=False,
        lead_image_copyright="© Harbourside",
        lead_image_license_url="https://example.org/licence",
        lead_image_acquire_license_url="https://example.org/buy",
        lead_image_focus_x=20,
        lead_image_focus_y=70,
    )
    fields = [
        "lead_image_alt",
        "lead_image_decorative",
        "lead_image_copyright",
        "lead_image_license_url",
        "lead_image_acquire_license_url",
        "lead_image_focus_x",
        "lead_image_focus_y",
    ]
    before = {name: getattr(article, name) for name in fields}
    call_command("export_articles", str(tmp_path / "out"), stdout=io.StringIO())
    Article.objects.all().delete()
    from articles.models import DeletedArticle

    DeletedArticle.objects.all().delete()
    run_import(tmp_path / "out")
    again = Article.objects.get(title="Round trip")
    assert {name: getattr(again, name) for name in fields} == before
    assert again.lead_renditions["focus"] == [20, 70]
