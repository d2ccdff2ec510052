"""export_articles, and importing its output back into an empty database."""

import re
import shutil

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from articles.models import Article, Author, Category, Tag
from tests.utils import make_image, run_import, write

pytestmark = pytest.mark.django_db


def test_export_round_trip(tmp_path, settings, media_root):
    """export_articles then import into an empty database gives the same articles back."""
    settings.DEBUG = True
    call_command("load_sample_content", stdout=None, verbosity=0)
    make_image(tmp_path / "bundle" / "content" / "pic" / "lead.png")
    make_image(tmp_path / "bundle" / "content" / "pic" / "chart.png", color=(0, 90, 200))
    write(
        tmp_path,
        "bundle/content/pic/index.md",
        "---\ntitle: With picture\ncover: lead.png\nimage_caption: A caption\nimage_credit: Photo desk\n"
        "tags: [图]\ncategories: ['今日推荐 / 精选', 子栏目]\ntranslator:\nseries: []\n---\nBody ![chart](chart.png)",
    )
    run_import(tmp_path / "bundle")

    def snapshot():
        return {
            a.slug: (
                a.title, a.status, a.published_at, a.modified_at, [x.name for x in a.byline],
                [c.name for c in a.category.ancestors()] + [a.category.name] if a.category else None,
                sorted(a.tags.names()), a.standfirst, a.body, a.lead_image_url, a.language, a.featured,
                a.lead_image.read() if a.lead_image else b"", a.lead_image_caption, a.lead_image_credit,
                {k: v for k, v in a.extra.items() if k != "categories"},
            )
            for a in Article.objects.prefetch_related("bylines__author")
        }  # fmt: skip

    before = snapshot()
    pictured = Article.objects.get(title="With picture")
    assert "/media/imported/" in pictured.body and pictured.extra["translator"] is None
    authors = set(Author.objects.values_list("name", "email", "website"))
    call_command("export_articles", str(tmp_path / "export"), verbosity=0)
    Article.objects.all().delete()
    Author.objects.all().delete()
    while Category.objects.exists():  # leaves first: a section with children is protected
        Category.objects.filter(children__isnull=True).delete()
    Tag.objects.all().delete()
    shutil.rmtree(media_root)  # a fresh install: the export must carry its images
    run_import(tmp_path / "export")
    assert snapshot() == before
    chart = re.search(r"/media/(imported/[^)\"]+)", Article.objects.get(title="With picture").body).group(1)
    assert default_storage.exists(chart)
    assert set(Author.objects.values_list("name", "email", "website")) == authors
