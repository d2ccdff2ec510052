"""Images that come with front-matter files: lead images, page bundles, Hexo asset folders, placeholders."""

import json
import re
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article
from tests.utils import change_form, huge_png, make_image, only, run_import, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "key",
    ["image", "images", "cover", "featured_image", "feature_image", "thumbnail", "headimg", "banner_img", "index_img"],
)
def test_lead_image_aliases(tmp_path, key):
    value = "[https://img.example/a.jpg, https://img.example/b.jpg]" if key == "images" else "https://img.example/a.jpg"
    write(tmp_path, "a.md", f"---\ntitle: T\n{key}: {value}\n---\nB")
    run_import(tmp_path)
    assert only().lead_image_url == "https://img.example/a.jpg"


@pytest.mark.parametrize("url", ["https://picsum.photos/200/300", "https://cdn.example/p/undefined"])
def test_placeholder_images_are_not_lead_images(tmp_path, url):
    write(tmp_path, "a.md", f"---\ntitle: T\nheadimg: '{url}'\n---\nB")
    run_import(tmp_path)
    assert only().lead_image_url == ""
    assert only().extra["placeholder_image"] == url


def test_page_bundle_images_are_stored_and_references_rewritten(tmp_path, client):
    bundle = tmp_path / "content" / "survey"
    make_image(bundle / "chart.png")
    make_image(bundle / "cover.jpg", kind="JPEG")
    write(
        bundle, "index.md", '---\ntitle: Survey\ncover: cover.jpg\n---\n![A chart](chart.png)\n\n<img src="chart.png">'
    )
    run_import(tmp_path)
    article = only()
    assert article.lead_image.name.startswith("imported/") and article.lead_image.name.endswith(".jpg")
    assert default_storage.exists(article.lead_image.name)
    stored = re.findall(r"/media/imported/[^)\"]+", article.body_source)
    assert "![A chart](/media/imported/" in article.body_source
    assert '<img src="/media/imported/' in article.body_source
    assert len(stored) == 2 and len(set(stored)) == 1  # two references, one stored copy
    assert '<img src="/media/imported/' in article.body and 'alt="A chart"' in article.body


def test_hexo_asset_folder_and_missing_images(tmp_path):
    make_image(tmp_path / "_posts" / "husky" / "husky封面.png")
    write(tmp_path, "_posts/husky.md", "---\ntitle: Husky\ncover: husky封面.png\n---\n![gone](missing.png)")
    write(tmp_path, "_posts/nofile.md", "---\ntitle: No file\ncover: nowhere.png\n---\nB")
    (tmp_path / "_posts" / "fake.png").write_text("not an image")
    write(tmp_path, "_posts/fake.md", "---\ntitle: Fake\ncover: fake.png\n---\nB")
    _, err = run_import(tmp_path)
    assert Article.objects.get(title="Husky").lead_image.name.endswith(".png")
    assert "warning: image 'missing.png' (alt text 'gone') not found next to the file" in err
    nofile = Article.objects.get(title="No file")
    assert not nofile.lead_image and nofile.extra["lead_image"] == "nowhere.png"
    assert "warning: image 'fake.png': not an image Newsroom can read" in err


def test_an_image_not_found_is_left_out_of_the_page_until_an_import_finds_it(tmp_path, client):
    """Readers never get a broken image: its alt text stands in its place, the report and the
    body's source keep the reference, an unchanged re-run changes nothing, and the run that
    finds the file puts the image back, without freshening the story's dates."""
    body = '![Tide chart](chart.png)\n\nThe tide turns.\n\n<img alt="Harbour map" src="map.png">'
    write(tmp_path, "_posts/tides.md", f"---\ntitle: Tides\ndate: 2021-03-04\ncover: cover.png\n---\n{body}")
    _, err = run_import(tmp_path)
    assert "image 'chart.png' (alt text 'Tide chart') not found next to the file: left out of the page" in err
    assert "image 'map.png' (alt text 'Harbour map') not found next to the file" in err
    story = only()
    assert story.missing_images == ["chart.png", "map.png", "cover.png"] and story.body_source.endswith(body)
    page = client.get(story.get_absolute_url())
    html = page.content.decode()
    assert "<img" not in html and "Tide chart" in html and "Harbour map" in html

    out, _ = run_import(tmp_path)  # nothing new: nothing written, the page the same
    assert "1 unchanged" in out and only().edit_version == story.edit_version
    assert client.get(story.get_absolute_url())["ETag"] == page["ETag"]

    make_image(tmp_path / "_posts" / "chart.png")
    make_image(tmp_path / "_posts" / "tides" / "map.png")  # Hexo's asset folder
    make_image(tmp_path / "_posts" / "cover.png")
    out, err = run_import(tmp_path)
    assert "1 updated" in out and "not found" not in err
    found = only()
    assert found.missing_images == [] and found.lead_image
    html = client.get(found.get_absolute_url()).content.decode()
    images = re.findall(r"<img [^>]*>", html[html.index('<div class="article-body">') :])
    assert len(images) == 2 and all('src="/media/imported/' in img for img in images)
    assert 'alt="Tide chart"' in images[0] and 'alt="Harbour map"' in images[1]
    assert found.last_substantive_change == story.last_substantive_change  # an import is no update
    assert "1 unchanged" in run_import(tmp_path)[0]


@pytest.mark.parametrize("reference", ["/etc/hostname.png", "../../secret.png"])
def test_images_outside_the_files_folder_are_never_read(tmp_path, reference):
    make_image(tmp_path / "secret.png")
    write(tmp_path, "site/content/post/index.md", f"---\ntitle: T\ncover: '{reference}'\n---\nB")
    _, err = run_import(tmp_path / "site")
    assert not only().lead_image
    assert f"image '{reference}' is outside the file's folder" in err


def test_an_image_of_a_few_kilobytes_claiming_7000_by_7000_pixels_is_left_out_undecoded(tmp_path, decoded_sizes):
    bundle = tmp_path / "content" / "night-sky"
    bundle.mkdir(parents=True)
    (bundle / "sky.png").write_bytes(huge_png(7_000, 7_000))
    (bundle / "stars.png").write_bytes(huge_png(7_000, 7_000))
    post = write(bundle, "index.md", "---\ntitle: Night sky\ncover: sky.png\n---\n![Stars](stars.png)")
    _, err = run_import(tmp_path)
    article = only()
    assert not article.lead_image and article.extra["lead_image"] == "sky.png"
    assert "![Stars](stars.png)" in article.body_source  # the reference stays as written
    limit = "image is 7000×7000 pixels; the limit is 40,000,000 pixels, left out"
    assert f"{post}: warning: image 'sky.png': {limit}" in err
    assert f"{post}: warning: image 'stars.png': {limit}" in err
    assert decoded_sizes == []


def body_images(client, article) -> list[str]:
    """The `<img>` tags of the article's body on its page, as a reader gets it."""
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('<div class="article-body">') :]
    return re.findall(r"<img [^>]*>", body[: body.index("</div>")])


TIDES = "---\ntitle: Tides\ndate: 2021-03-04\ncover: cover.png\n---\n![Tide chart](chart.png)\n\nThe tide turns."


def test_an_image_found_later_is_put_back_on_a_story_an_editor_changed(tmp_path, editor, client, settings):
    """The file unchanged, the images it lacked found since: they are put back into the story as
    the editor left it (their words kept), on its kept page too, reported as an update with a
    note, with no import over the editor's changes (a later change of the file is still skipped);
    the next run reads nothing."""
    settings.PAGE_CACHE_SECONDS = 300
    write(tmp_path, "_posts/tides.md", TIDES)
    run_import(tmp_path)
    story = only()
    edited = story.body_source + "\n\nHigh water at noon, the harbour master says."
    response = editor.post(
        reverse("admin:articles_article_change", args=[story.pk]), change_form(story, body_source=edited)
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.updated_at > story.imported_at and story.missing_images == ["chart.png", "cover.png"]
    assert '<figure class="lead-image">' not in client.get(story.get_absolute_url()).content.decode()
    assert body_images(client, story) == [] and client.get(story.get_absolute_url())["X-Page-Cache"] == "hit"

    make_image(tmp_path / "_posts" / "chart.png")
    make_image(tmp_path / "_posts" / "cover.png", color=(0, 90, 200))
    report = tmp_path / "report.json"
    out, err = run_import(tmp_path, report=str(report))
    assert "1 updated, 0 unchanged, 0 skipped" in out and "not found" not in err
    notes = json.loads(report.read_text())["files"][0]["notes"]
    assert notes == ["image 'chart.png' found and put back", "image 'cover.png' found and put back"]
    found = only()
    assert found.missing_images == [] and found.lead_image.name.startswith("imported/")
    assert found.body_source.startswith("![Tide chart](/media/imported/")
    assert found.body_source.endswith("High water at noon, the harbour master says.")  # the editor's words
    page = client.get(found.get_absolute_url()).content.decode()
    assert "High water at noon" in page and '<figure class="lead-image">' in page
    images = body_images(client, found)
    assert len(images) == 1 and 'src="/media/imported/' in images[0] and 'alt="Tide chart"' in images[0]
    assert (found.imported_at, found.last_substantive_change) == (story.imported_at, story.last_substantive_change)

    out, _ = run_import(tmp_path, report=str(report))
    assert "1 unchanged" in out and only().edit_version == found.edit_version
    write(tmp_path, "_posts/tides.md", TIDES.replace("The tide turns.", "The tide turns late."))
    out, _ = run_import(tmp_path)  # still the editor's story: a changed file does not replace it
    assert "1 skipped" in out and only().body_source == found.body_source


def test_an_image_found_but_unreadable_is_no_longer_looked_for(tmp_path):
    """A missing image that turns up broken is reported once, and later runs leave the file alone."""
    write(tmp_path, "_posts/tides.md", TIDES)
    run_import(tmp_path)
    (tmp_path / "_posts" / "chart.png").write_text("not an image")
    out, err = run_import(tmp_path)
    assert "1 unchanged" in out and "image 'chart.png': not an image Newsroom can read" in err
    assert only().missing_images == ["cover.png"]
    out, err = run_import(tmp_path)
    assert "1 unchanged" in out and "chart.png" not in err


def test_render_bodies_lists_the_missing_images_of_stories_imported_before_the_list_existed(tmp_path, client):
    """An import made before `missing_images` existed listed nothing: `render_bodies` (run once
    after the upgrade) lists the body's images and lead image its file lacked, so the next import
    that finds them puts them back; a re-run finds nothing more to list."""
    write(tmp_path, "_posts/tides.md", TIDES + '\n\n<img alt="Harbour map" src="map.png">\n\n![Far](../../far.png)')
    run_import(tmp_path)
    Article.objects.update(missing_images=[])  # as an import before the previous release left it
    out = StringIO()
    call_command("render_bodies", stdout=out)
    assert "; images to look for listed on 1 articles" in out.getvalue()
    assert only().missing_images == ["chart.png", "map.png", "cover.png"]  # never one outside the file's folder
    again = StringIO()
    call_command("render_bodies", stdout=again)
    assert "images to look for" not in again.getvalue()

    make_image(tmp_path / "_posts" / "chart.png")
    make_image(tmp_path / "_posts" / "tides" / "map.png")
    make_image(tmp_path / "_posts" / "cover.png")
    out, _ = run_import(tmp_path)
    assert "1 updated" in out
    story = only()
    assert story.missing_images == [] and story.lead_image
    assert [re.search(r'alt="([^"]*)"', img).group(1) for img in body_images(client, story)] == [
        "Tide chart",
        "Harbour map",
    ]
    assert "1 unchanged" in run_import(tmp_path)[0]
