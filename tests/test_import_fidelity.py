"""import_articles on the shapes real archives come in: every key alias, identity across re-runs,
images next to files, and the operator's options."""

import datetime as dt
import json
import re
import shutil
import threading
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from articles.models import Article, Author, Category, Tag
from tests.utils import make_image, run_import, write

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def only():
    return Article.objects.get()


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("date: Fri, 12 Nov 2021 08:04:09 GMT", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=UTC)),
        ("publishDate: 2021-11-12T08:04:09Z", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=UTC)),
        ("pubdate: 2021-11-12 16:04:09 +0800", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=UTC)),
        ("published: 2021/11/12 8:04:09", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=UTC)),
        ("date: 2021-11-12", dt.datetime(2021, 11, 12, tzinfo=UTC)),
    ],
)
def test_publication_time_aliases(tmp_path, front_matter, expected):
    write(tmp_path, "a.md", f"---\ntitle: T\n{front_matter}\n---\nBody")
    run_import(tmp_path)
    assert only().published_at == expected


def test_toml_dates_and_zola_path(tmp_path):
    write(tmp_path, "content/a.md", '+++\ntitle = "Dated"\ndate = 2020-05-01\nupdated = 2020-06-01T10:00:00Z\n+++\nB')
    write(
        tmp_path,
        "content/b.md",
        '+++\npath = "2025/06/26/Rust-1.88.0"\ntitle = "Zola"\naliases = ["releases/1.88.0"]\n+++\nB',
    )
    run_import(tmp_path)
    dated, zola = Article.objects.get(title="Dated"), Article.objects.get(title="Zola")
    assert dated.published_at == dt.datetime(2020, 5, 1, tzinfo=UTC)
    assert dated.modified_at == dt.datetime(2020, 6, 1, 10, tzinfo=UTC)
    assert zola.published_at == dt.datetime(2025, 6, 26, tzinfo=UTC)
    assert zola.slug == "rust-1880"


def test_jekyll_file_name_gives_the_date(tmp_path):
    write(tmp_path, "_posts/2019-05-30-hello-world.md", "---\ntitle: Hello\n---\nBody")
    run_import(tmp_path)
    assert only().published_at == dt.datetime(2019, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["Invalid Date", "2021-03-06c", "2021-02-30"])
def test_unreadable_dates_keep_the_article_as_a_draft(tmp_path, value):
    path = write(tmp_path, "a.md", f"---\ntitle: T\ndate: {value}\n---\nBody")
    _, err = run_import(tmp_path)
    article = only()
    assert (article.status, article.published_at) == (Article.Status.DRAFT, None)
    assert f"{path}: warning: unreadable date '{value}'" in err


def test_updated_and_expiry_are_kept(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\ndate: 2020-01-01\nlastmod: 2020-02-01\nexpiryDate: '2028-02-18'\n---\nB")
    run_import(tmp_path)
    article = only()
    assert article.modified_at == dt.datetime(2020, 2, 1, tzinfo=UTC)
    assert article.expires_at == dt.datetime(2028, 2, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("front_matter", "status"),
    [
        ("draft: true", "draft"),
        ("published: false", "draft"),
        ("status: draft", "draft"),
        ("status: review", "review"),
        ("draft: 'false'", "published"),
        ("", "published"),
    ],
)
def test_status(tmp_path, front_matter, status):
    write(tmp_path, "a.md", f"---\ntitle: T\ndate: 2020-01-01\n{front_matter}\n---\nB")
    run_import(tmp_path)
    assert only().status == status


def test_status_option_overrides_the_files(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\ndate: 2020-01-01\n---\nB")
    run_import(tmp_path, status="review")
    assert only().status == Article.Status.REVIEW


def test_future_date_is_scheduled(tmp_path):
    when = (timezone.now() + dt.timedelta(days=3)).isoformat()
    write(tmp_path, "a.md", f"---\ntitle: Later\ndate: '{when}'\n---\nB")
    run_import(tmp_path)
    assert only().is_scheduled


@pytest.mark.parametrize(
    ("front_matter", "slug"),
    [
        ("slug: my-slug", "my-slug"),
        ("permalink: /2020/01/01/from-permalink.html", "from-permalink"),
        ("url: /news/from-url/", "from-url"),
        ("", "中国特使解振华中美合作是唯一正确选择"),
    ],
)
def test_slug_sources(tmp_path, front_matter, slug):
    write(tmp_path, "a.md", f"---\ntitle: 中国特使解振华：中美合作是唯一正确选择\n{front_matter}\n---\nB")
    run_import(tmp_path)
    assert only().slug == slug


def test_hexo_file_names_never_become_slugs(tmp_path):
    write(
        tmp_path, "1+1=4 微软Excel表格出bug.md", "---\ntitle: '1+1=4 微软Excel表格出bug：2000到2010版都受影响'\n---\nB"
    )
    run_import(tmp_path)
    assert only().slug == "114-微软excel表格出bug2000到2010版都受影响"


def test_old_addresses_redirect_to_the_article(tmp_path, client):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: Moved story\ndate: 2020-01-02\naliases: [/old/path/, 'releases/1.0']\n"
        "redirect_from:\n  - /ignored-because-aliases-wins/\npermalink: /2019/12/31/moved.html\n---\nB",
    )
    run_import(tmp_path)
    article = only()
    for old in ["/old/path/", "/releases/1.0", "/2019/12/31/moved.html"]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == article.get_absolute_url()
    assert article.extra["redirect_from"] == ["/ignored-because-aliases-wins/"]


@pytest.mark.parametrize(
    ("front_matter", "path"),
    [
        ("categories: News", "News"),
        ("category: News", "News"),
        ("categories: [新媒体, 观察者网, 头条]", "新媒体 / 观察者网 / 头条"),
        ("categories:\n  - [前端, 编码规范]\n  - [工具]", "前端 / 编码规范"),
        ("categories:", None),
        ("categories: []", None),
    ],
)
def test_category_shapes(tmp_path, front_matter, path):
    write(tmp_path, "a.md", f"---\ntitle: T\n{front_matter}\n---\nB")
    run_import(tmp_path)
    assert (str(only().category) if only().category else None) == path


def test_flat_category_mode_makes_top_level_sections(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\ncategories: [Go, Templates]\n---\nB")
    run_import(tmp_path, category_mode="flat")
    assert set(Category.objects.values_list("path", flat=True)) == {"go", "templates"}
    assert only().extra["categories"] == [["Go"], ["Templates"]]


@pytest.mark.parametrize(
    ("front_matter", "tags"),
    [
        ("tags: [ruby, release]", ["release", "ruby"]),
        ("tags: ruby", ["ruby"]),
        ("tags: 'ruby, release'", ["release", "ruby"]),
        ("tags:", []),
    ],
)
def test_tag_shapes(tmp_path, front_matter, tags):
    write(tmp_path, "a.md", f"---\ntitle: T\n{front_matter}\nkeywords: [k1, k2]\n---\nB")
    run_import(tmp_path)
    assert sorted(only().tags.names()) == tags
    assert only().keywords == "k1, k2"


def test_tags_are_case_insensitive_and_symbol_tags_get_an_address(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: A\ntags: [Climate, '!!!']\n---\nB")
    write(tmp_path, "b.md", "---\ntitle: B\ntags: [climate]\n---\nB")
    run_import(tmp_path)
    assert Tag.objects.count() == 2
    assert Tag.objects.get(name="!!!").slug == "tag"
    assert client.get(Article.objects.get(title="A").get_absolute_url()).status_code == 200


def test_author_shapes_keep_their_order(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: T\nauthors:\n  - name: Zed\n    email: zed@example.com\n    url: https://zed.example\n"
        "  - Amy\n  - name: Evil\n    url: 'javascript:alert(1)'\n---\nB",
    )
    _, err = run_import(tmp_path)
    article = only()
    assert [a.name for a in article.byline] == ["Zed", "Amy", "Evil"]
    zed = Author.objects.get(name="Zed")
    assert (zed.email, zed.website) == ("zed@example.com", "https://zed.example")
    assert Author.objects.get(name="Evil").website == ""
    assert "author url 'javascript:alert(1)' is not valid: left out" in err


def test_default_author_for_files_without_one(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\n---\nB")
    write(tmp_path, "b.md", "---\ntitle: U\nauthor: Someone\n---\nB")
    run_import(tmp_path, default_author="Newsroom Staff")
    assert [a.name for a in Article.objects.get(title="T").byline] == ["Newsroom Staff"]
    assert [a.name for a in Article.objects.get(title="U").byline] == ["Someone"]


@pytest.mark.parametrize("key", ["summary", "excerpt", "description", "abstract"])
def test_summary_aliases(tmp_path, key):
    write(tmp_path, "a.md", f"---\ntitle: T\n{key}: 'A <b>short</b> summary.'\n---\nLong body.")
    run_import(tmp_path)
    assert only().standfirst == "A short summary."


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


def test_translations_and_bundles_with_the_same_file_name_stay_apart(tmp_path):
    write(tmp_path, "en/news/_posts/2020-01-01-release.md", "---\ntitle: Released\nlang: en\n---\nB")
    write(tmp_path, "zh_cn/news/_posts/2020-01-01-release.md", "---\ntitle: 发布了\nlang: zh_cn\n---\nB")
    write(tmp_path, "content/docs/_index.md", "---\ntitle: Docs\n---\nB")
    write(tmp_path, "content/news/_index.md", "---\ntitle: News\n---\nB")
    run_import(tmp_path)
    assert Article.objects.count() == 4
    assert set(Article.objects.values_list("language", flat=True)) == {"en", "zh_cn", ""}


def test_identity_does_not_depend_on_the_folder_named(tmp_path):
    write(tmp_path, "site/content/posts/a.md", "---\ntitle: A\n---\nB")
    write(tmp_path, "site/content/posts/b.md", "---\ntitle: B\n---\nB")
    write(tmp_path, "other/loose.md", "---\ntitle: Loose\n---\nB")
    run_import(tmp_path)
    out, _ = run_import(tmp_path / "site" / "content" / "posts", tmp_path / "other" / "loose.md")
    assert "0 created" in out and Article.objects.count() == 3


def test_moved_archive_updates_the_same_articles(tmp_path):
    write(tmp_path, "old/content/a.md", "---\ntitle: A\n---\nB")
    write(tmp_path, "old/loose/b.md", "---\ntitle: Loose\n---\nB")
    run_import(tmp_path / "old")
    before = dict(Article.objects.values_list("title", "pk"))
    shutil.move(tmp_path / "old", tmp_path / "new")
    out, _ = run_import(tmp_path / "new")
    assert "0 created" in out
    assert dict(Article.objects.values_list("title", "pk")) == before
    assert before and all("/new/" in p for p in Article.objects.values_list("source_path", flat=True))


def test_explicit_id_follows_a_renamed_file(tmp_path):
    path = write(tmp_path, "a.md", "---\nid: story-17\ntitle: First\n---\nB")
    run_import(tmp_path)
    path.rename(tmp_path / "renamed.md")
    (tmp_path / "renamed.md").write_text("---\nid: story-17\ntitle: Second\n---\nB", encoding="utf-8")
    run_import(tmp_path)
    assert list(Article.objects.values_list("title", "source_key")) == [("Second", "id:story-17")]


def test_two_files_claiming_one_identity_in_a_run(tmp_path):
    write(tmp_path, "a.md", "---\nid: same\ntitle: First\n---\nB")
    second = write(tmp_path, "b.md", "---\nid: same\ntitle: Second\n---\nB")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert (
        f"{second}: same identity (id:same) as {tmp_path / 'a.md'}, imported in this run: not imported"
        in err.getvalue()
    )
    assert only().title == "First"


def test_editor_changes_survive_a_reimport_unless_overwrite(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: From file\n---\nOne")
    run_import(tmp_path)
    article = only()
    article.title = "Edited in the admin"
    article.save()
    path.write_text("---\ntitle: File changed\n---\nTwo", encoding="utf-8")
    out, err = run_import(tmp_path)
    assert "1 skipped" in out
    assert f"{path}: skipped: an editor changed this article after it was imported; --overwrite replaces it" in err
    assert only().title == "Edited in the admin"
    run_import(tmp_path, overwrite=True)
    assert only().title == "File changed"


def test_reimport_of_a_changed_file_keeps_an_undated_articles_time_and_address(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: Undated\n---\nOne")
    run_import(tmp_path)
    first = only()
    path.write_text("---\ntitle: Undated\n---\nTwo", encoding="utf-8")
    run_import(tmp_path)
    assert only().published_at == first.published_at
    assert only().get_absolute_url() == first.get_absolute_url()


def test_slug_change_in_the_file_keeps_the_old_address_working(tmp_path, client):
    path = write(tmp_path, "a.md", "---\ntitle: T\nslug: first\ndate: 2020-01-01\n---\nB")
    run_import(tmp_path)
    old_url = only().get_absolute_url()
    path.write_text("---\ntitle: T\nslug: second\ndate: 2020-01-01\n---\nB", encoding="utf-8")
    run_import(tmp_path)
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == only().get_absolute_url() == "/2020/01/01/second/"


def test_likely_duplicates_are_listed_not_merged(tmp_path):
    body = "<div><p>Same story text.</p></div>"
    write(tmp_path, "a.md", f"---\ntitle: First title\n---\n{body}")
    write(tmp_path, "b.md", f"---\ntitle: Re-titled\n---\n{body}")
    common = "author: 观察者网\ndate: 2021-11-12 08:00:00\nheadimg: https://img.example/x.jpg"
    write(tmp_path, "c.md", f"---\ntitle: C\n{common}\n---\nOne")
    write(tmp_path, "d.md", f"---\ntitle: D\n{common}\n---\nTwo")
    out, _ = run_import(tmp_path)
    assert Article.objects.count() == 4
    assert f"likely duplicates (identical body): {tmp_path / 'a.md'} | {tmp_path / 'b.md'}" in out
    assert f"likely duplicates (same byline, time and lead image): {tmp_path / 'c.md'} | {tmp_path / 'd.md'}" in out


def test_yaml_that_real_archives_get_wrong_is_recovered(tmp_path):
    write(tmp_path, "quotes.md", '\n---\ntitle: """""\'How to turn off tab previews\'"""""\nauthor: Blog\n---\nB')
    write(tmp_path, "tabs.md", "---\ntitle: 原型\ntags:\n    - js\nkeywords:\n\t\t- js原型\n\t\t- prototype\n---\nB")
    _, err = run_import(tmp_path)
    assert Article.objects.get(title="How to turn off tab previews").byline[0].name == "Blog"
    assert Article.objects.get(title="原型").keywords == "js原型, prototype"
    assert "read it line by line instead" in err


def test_control_characters_and_zero_width_spaces_are_removed(tmp_path):
    write(tmp_path, "a.md", '---\ntitle: "Zero\\u200bwidth\\bback\\fform\\u00a0space"\n---\nText\u200b here\x0c.')
    run_import(tmp_path)
    article = only()
    assert article.title == "Zerowidthbackform space"
    assert article.body == "<p>Text here.</p>"


def test_one_line_json_front_matter(tmp_path):
    write(tmp_path, "a.md", '{"title": "Json", "tags": ["x"]} Body text')
    run_import(tmp_path)
    assert (only().title, only().body) == ("Json", "<p>Body text</p>")


def test_template_syntax_is_never_run_and_is_noted(tmp_path):
    write(tmp_path, "a.md", '---\ntitle: T\n---\n{% post_link other %} and {{< ref "x" >}} and {{ site.title }}')
    out, err = run_import(tmp_path, verbosity=2)
    assert "{% post_link other %}" in only().body
    assert "note: template syntax kept as text, not run: post_link, ref, site.title" in err


def test_links_outside_the_folder_are_not_followed(tmp_path):
    outside = write(tmp_path, "outside/secret.md", "---\ntitle: Outside\n---\nB")
    write(tmp_path, "archive/inside.md", "---\ntitle: Inside\n---\nB")
    (tmp_path / "archive" / "link.md").symlink_to(outside)
    (tmp_path / "archive" / "dir").symlink_to(tmp_path / "outside")
    run_import(tmp_path / "archive")
    assert list(Article.objects.values_list("title", flat=True)) == ["Inside"]


def test_report_file_lists_every_file(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ndate: Invalid Date\n---\nB")
    write(tmp_path, "b.md", "no front matter")
    report = tmp_path / "report.json"
    run_import(tmp_path / "a.md", tmp_path / "b.md", report=str(report))
    data = json.loads(report.read_text())
    assert data["counts"]["created"] == 1 and data["counts"]["skipped"] == 1
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path[str(tmp_path / "a.md")]["warnings"][0].startswith("unreadable date 'Invalid Date'")
    assert by_path[str(tmp_path / "b.md")]["outcome"] == "skipped"


def test_dry_run_stores_no_images(tmp_path, media_root):
    make_image(tmp_path / "content" / "x" / "chart.png")
    write(tmp_path, "content/x/index.md", "---\ntitle: T\ncover: chart.png\n---\nB")
    out, _ = run_import(tmp_path, dry_run=True)
    assert "1 readable" in out
    assert not Article.objects.exists() and not (media_root / "imported").exists()


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


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_create_no_duplicates(tmp_path):
    """Two imports at once over overlapping files: one article, author, section and tag each."""
    for n in range(30):
        write(
            tmp_path,
            f"set/{n}.md",
            f"---\ntitle: Story {n}\nauthor: Shared Author {n % 3}\ncategories: [News, City {n % 2}]\n"
            f"tags: [shared, t{n % 4}]\n---\nBody {n}",
        )
    barrier, errors = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            run_import(tmp_path / "set", jobs=1)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Article.objects.count() == 30
    assert Author.objects.count() == 3
    assert Category.objects.count() == 3
    assert Tag.objects.count() == 5
    assert sorted(Article.objects.values_list("slug", flat=True)) == sorted(f"story-{n}" for n in range(30))


def test_two_sites_with_the_same_post_name_stay_two_articles(tmp_path):
    write(tmp_path, "siteA/_posts/2020-01-01-welcome.md", "---\ntitle: Welcome to A\n---\nA")
    write(tmp_path, "siteB/_posts/2020-01-01-welcome.md", "---\ntitle: Welcome to B\n---\nB")
    run_import(tmp_path / "siteA")
    run_import(tmp_path / "siteB")
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Welcome to A", "Welcome to B"]
    for site in ("siteA", "siteB"):
        out, _ = run_import(tmp_path / site)
        assert "0 created, 0 updated, 1 unchanged" in out
    out, _ = run_import(tmp_path)
    assert "0 created, 0 updated, 2 unchanged" in out


def test_a_second_file_with_a_taken_id_is_refused_every_time(tmp_path):
    write(tmp_path, "a.md", "---\nid: 42\ntitle: First\n---\nB")
    second = write(tmp_path, "b.md", "---\nid: 42\ntitle: Second\n---\nB")
    for _ in range(3):
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
        assert f"{second}: same identity (id:42) as {tmp_path / 'a.md'}" in err.getvalue()
        assert only().title == "First"


def test_identical_files_in_two_places_are_not_taken_for_a_move(tmp_path):
    text = "---\ntitle: About\n---\nSame words."
    write(tmp_path, "content/en/about.md", text)
    write(tmp_path, "content/fr/about.md", text)
    run_import(tmp_path / "content" / "en")
    run_import(tmp_path / "content" / "fr")
    assert Article.objects.count() == 2
    out, _ = run_import(tmp_path)
    assert "2 unchanged" in out


def test_long_tags_import_again_without_trouble(tmp_path):
    write(tmp_path, "a.md", f"---\ntitle: T\ntags: ['{'长' * 150}']\n---\nB")
    run_import(tmp_path)
    (tmp_path / "a.md").write_text(f"---\ntitle: T2\ntags: ['{'长' * 150}']\n---\nB", encoding="utf-8")
    out, _ = run_import(tmp_path)
    assert "1 updated" in out and Tag.objects.count() == 1


def test_sections_whose_names_slug_alike_stay_apart(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ncategories: C#\n---\nB")
    write(tmp_path, "b.md", "---\ntitle: B\ncategories: C++\n---\nB")
    run_import(tmp_path)
    assert str(Article.objects.get(title="A").category) == "C#"
    assert str(Article.objects.get(title="B").category) == "C++"
    assert Category.objects.count() == 2


def test_jekyll_drafts_folder_imports_drafts(tmp_path):
    write(tmp_path, "_drafts/next-week.md", "---\ntitle: Not yet\n---\nB")
    run_import(tmp_path)
    assert only().status == Article.Status.DRAFT


def test_templates_are_skipped_not_failed(tmp_path):
    path = write(tmp_path, "layouts/list.html", '{{ define "main" }}{{ .Content }}{{ end }}')
    _, err = run_import(tmp_path)
    assert f"{path}: skipped: no front matter" in err


def test_values_yaml_would_change_are_kept_as_written(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: 3.10\ntags: [python, 3.10]\nweight: 3\n---\nB")
    run_import(tmp_path)
    assert only().title == "3.10"
    assert sorted(only().tags.names()) == ["3.10", "python"]
    assert only().extra["weight"] == 3


def test_unreadable_date_does_not_lose_the_other_times(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\ndate: Invalid Date\nlastmod: 2020-02-01\n---\nB")
    run_import(tmp_path)
    assert only().modified_at == dt.datetime(2020, 2, 1, tzinfo=UTC)


def test_overlong_title_is_cut_and_kept_whole(tmp_path):
    title = "A very long headline " * 20
    write(tmp_path, "a.md", f"---\ntitle: '{title}'\n---\nB")
    _, err = run_import(tmp_path)
    assert len(only().title) == 300 and only().title.endswith("…")
    assert only().extra["full_title"] == title.strip()
    assert "title: 419 characters, cut to 300" in err


@pytest.mark.parametrize("reference", ["/etc/hostname.png", "../../secret.png"])
def test_images_outside_the_files_folder_are_never_read(tmp_path, reference):
    make_image(tmp_path / "secret.png")
    write(tmp_path, "site/content/post/index.md", f"---\ntitle: T\ncover: '{reference}'\n---\nB")
    _, err = run_import(tmp_path / "site")
    assert not only().lead_image
    assert f"image '{reference}' is outside the file's folder" in err


def test_values_newsroom_does_not_use_are_kept(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: T\nimages: [https://img.example/1.jpg, https://img.example/2.jpg]\nformat: video\n"
        "status: trash\nthumbnail: https://picsum.photos/1/1\ntags: [{name: x}, y]\n---\nB",
    )
    _, err = run_import(tmp_path)
    article = only()
    assert article.lead_image_url == "https://img.example/1.jpg"
    assert article.extra["images"] == ["https://img.example/1.jpg", "https://img.example/2.jpg"]
    assert article.extra["format"] == "video" and article.extra["status"] == "trash"
    assert article.status == Article.Status.DRAFT and "unknown status 'trash': imported as a draft" in err
    assert article.extra["thumbnail"] == "https://picsum.photos/1/1"  # not the lead: kept as it was
    assert article.extra["tags_as_imported"] == [{"name": "x"}, "y"]


def test_html_files_and_wrapped_html_bodies_stay_html(tmp_path):
    write(tmp_path, "page.html", "---\ntitle: Page\n---\nIntro line\n\n    indented, not code")
    write(tmp_path, "hexo.md", "---\ntitle: Hexo\n---\n<div>\n<p>\n1. 第一点\n</p>\n<p>2. 第二点</p>\n</div>")
    run_import(tmp_path)
    assert "<pre>" not in Article.objects.get(title="Page").body
    hexo = Article.objects.get(title="Hexo")
    assert hexo.body_format == Article.BodyFormat.HTML and "<ol>" not in hexo.body


def test_summary_skips_paragraphs_with_only_an_image(tmp_path):
    write(
        tmp_path, "a.md", '---\ntitle: T\n---\n<div><p><img src="https://x.example/a.jpg"></p><p>First words.</p></div>'
    )
    run_import(tmp_path)
    assert only().standfirst == "First words."
