"""export_articles, and importing its output back into an empty database."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Author
from tests.factories import ArticleFactory, AuthorFactory
from tests.utils import article_form, empty_content, make_image, run_import, write

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
                a.title, a.status, a.published_at, a.substantively_updated_at, [(x.name, x.role) for x in a.byline],
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
    empty_content()
    shutil.rmtree(media_root)  # a fresh install: the export must carry its images
    run_import(tmp_path / "export")
    assert snapshot() == before
    chart = re.search(r"/media/(imported/[^)\"]+)", Article.objects.get(title="With picture").body).group(1)
    assert default_storage.exists(chart)
    assert set(Author.objects.values_list("name", "email", "website")) == authors


def snapshot() -> dict:
    """Every article, field by field, keyed by its id (an export names its bundles by it; an
    article imported from a bundle is keyed by the id it was exported from)."""

    def key(article):
        bundle = Path(article.source_path).parent.name
        return int(bundle[:6]) if article.source_path.endswith("/index.md") and bundle[:6].isdigit() else article.pk

    articles = Article.objects.select_related("category").prefetch_related("bylines__author", "tags", "old_addresses")
    return {
        key(a): {
            "title": a.title,
            "slug": a.slug,
            "address": a.get_absolute_url(),
            "section": a.category.full_name if a.category else None,
            "section path": a.category.path if a.category else None,
            "authors": [
                (b.author.name, b.author.email, b.author.website, b.author.slug, b.role) for b in a.bylines.all()
            ],
            "tags": sorted((t.name, t.slug) for t in a.tags.all()),
            "published_at": a.published_at,
            "modified_at": a.substantively_updated_at,
            "expires_at": a.expires_at,
            "status": a.status,
            "featured": a.featured,
            "standfirst": a.standfirst,
            "body_source": re.sub(r"/media/imported/\S+?\.(\w+)", r"<stored \1>", a.body_source),
            "body_format": a.body_format,
            "body": re.sub(r"/media/imported/\S+?\.(\w+)", r"<stored \1>", a.body),
            "lead_image": a.lead_image.read() if a.lead_image else b"",
            "lead_image_url": a.lead_image_url,
            "lead_image_caption": a.lead_image_caption,
            "lead_image_credit": a.lead_image_credit,
            "language": a.language,
            "keywords": a.keywords,
            "extra": a.extra,
            "old addresses": sorted(o.path for o in a.old_addresses.all()),
            "explicit id": a.source_key if (a.source_key or "").startswith("id:") else None,
        }
        for a in articles
    }


def differences(before: dict, after: dict) -> list[str]:
    """One line per article field that did not come back as it was."""
    lines = [f"article {pk}: missing after the round trip" for pk in before.keys() - after.keys()]
    lines += [f"article {pk}: new after the round trip" for pk in after.keys() - before.keys()]
    for pk in sorted(before.keys() & after.keys()):
        for name, value in before[pk].items():
            if after[pk][name] != value:
                lines.append(
                    f"article {pk} ({before[pk]['title'][:40]}): {name}: {value!r:.200} → {after[pk][name]!r:.200}"
                )
    return lines


def round_trip(folder: Path) -> list[str]:
    """Export everything to `folder`, empty the database, import `folder`: what changed."""
    before = snapshot()
    call_command("export_articles", str(folder), verbosity=0)
    empty_content()
    run_import(folder)
    return differences(before, snapshot())


def test_a_mixed_case_slug_keeps_its_address(tmp_path):
    """An address typed with capitals (the admin accepts them) is the same address after a round trip."""
    ArticleFactory(title="Rust release", slug="Rust-1-88")
    assert round_trip(tmp_path / "export") == []
    assert Article.objects.get().slug == "Rust-1-88"


def test_a_slug_written_in_front_matter_keeps_its_capitals(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Convert\nslug: hugo_convert_toJSON\n---\nB")
    run_import(tmp_path)
    assert Article.objects.get().slug == "hugo_convert_toJSON"


def test_two_authors_with_one_name_stay_two(tmp_path):
    """Two reporters called Li Wei, neither with an email address, are still two people (and
    keep their own pages) after a round trip."""
    first, second = AuthorFactory(name="Li Wei"), AuthorFactory(name="Li Wei")
    ArticleFactory(title="Harbour", authors=[first])
    ArticleFactory(title="Rail", authors=[second])
    ArticleFactory(title="Both", authors=[second, first])
    assert round_trip(tmp_path / "export") == []
    assert Author.objects.count() == 2


def test_standfirst_markup_is_kept_as_written(tmp_path):
    """A standfirst is text: what looks like markup, entities and line breaks in it come back as written."""
    ArticleFactory(standfirst="Fish &amp; <em>chips</em>: 3 < 4\n\nand  more")
    assert round_trip(tmp_path / "export") == []
    assert Article.objects.get().standfirst == "Fish &amp; <em>chips</em>: 3 < 4\n\nand  more"


def test_an_empty_standfirst_stays_empty(tmp_path, editor):
    """An editor who left the standfirst empty gets it empty back, not the body's first paragraph."""
    form = article_form(title="Ferry fares rise", body_source="The ferry costs more.\n\nFrom Monday.")
    assert editor.post(reverse("admin:articles_article_add"), form).status_code == 302
    assert Article.objects.get().standfirst == ""
    assert round_trip(tmp_path / "export") == []
    assert Article.objects.get().standfirst == ""


def test_a_body_that_opens_with_indented_code_keeps_it(tmp_path):
    ArticleFactory(body_source="    $ make run\n\nThen open the site.")
    assert round_trip(tmp_path / "export") == []
    assert '<pre tabindex="0"><code>$ make run' in Article.objects.get().body


def test_the_more_marker_stays_in_the_body(tmp_path):
    """`<!-- more -->` is part of the body as written: kept through import and export, never shown."""
    write(tmp_path, "a.md", "---\ntitle: Teaser\n---\nThe teaser.\n<!-- more -->\nThe rest.")
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.body_source == "The teaser.\n<!-- more -->\nThe rest."
    assert "more" not in article.body and article.standfirst == "The teaser."
    assert round_trip(tmp_path / "export") == []


def test_an_explicit_id_comes_back(tmp_path):
    """A file's `id` is still the article's identity after a round trip: a later run of the
    original import finds it instead of adding it again."""
    write(tmp_path / "site", "a.md", "---\nid: story-17\ntitle: First\n---\nB")
    run_import(tmp_path / "site")
    assert round_trip(tmp_path / "export") == []
    assert Article.objects.get().source_key == "id:story-17"


def test_the_whole_corpus_comes_back_field_by_field(corpus, tmp_path):
    """Every article of the real archives, exported and imported into an empty database, is the
    same article: every field, its byline's authors, its section, tags and old addresses."""
    run_import(corpus)
    assert Article.objects.count() > 1000
    changed = round_trip(tmp_path / "export")
    assert not changed, f"{len(changed)} differences:\n" + "\n".join(changed[:60])
