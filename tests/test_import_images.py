"""Images that come with front-matter files: lead images, page bundles, Hexo asset folders, placeholders."""

import re

import pytest
from django.core.files.storage import default_storage

from articles.models import Article
from tests.utils import huge_png, make_image, only, run_import, write

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
    assert "warning: image 'missing.png' not found next to the file" in err
    nofile = Article.objects.get(title="No file")
    assert not nofile.lead_image and nofile.extra["lead_image"] == "nowhere.png"
    assert "warning: image 'fake.png': not an image Newsroom can read" in err


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
