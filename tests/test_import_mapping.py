"""Front-matter keys to article fields: the seed article, dates, status, slugs, sections, tags, bylines,
summaries, bodies."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Author, Category, Tag
from tests.utils import only, run_import, write

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[1] / "articles" / "sample_content" / "000_6a04a1efea1f1887.txt"
UTC = dt.UTC


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Fri, 12 Nov 2021 08:04:09 GMT", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)),
        ("2021-11-12T16:04:09+08:00", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)),
        ("2021-11-12 16:04:09 +0800", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)),
        ("'2021-11-12T08:04:09Z'", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)),
        ("2021-11-12", dt.datetime(2021, 11, 12, tzinfo=dt.UTC)),
        ("2021-11-12 08:04:09", dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)),
        ("2021/11/2 8:04:09", dt.datetime(2021, 11, 2, 8, 4, 9, tzinfo=dt.UTC)),
    ],
)
def test_date_forms(tmp_path, written, expected):
    write(tmp_path, "a.md", f"---\ntitle: Dated\ndate: {written}\n---\nText")
    run_import(tmp_path)
    assert Article.objects.get().published_at == expected


def test_naive_dates_are_in_the_given_time_zone(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Dated\ndate: 2021-11-12 16:04:09\n---\nText")
    run_import(tmp_path, timezone="Asia/Shanghai")
    assert Article.objects.get().published_at == dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)


def test_unreadable_date_imports_a_draft_and_warns(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: Undated\ndate: Invalid Date\n---\nText")
    out, err = run_import(tmp_path)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert f"{path}: warning: unreadable date 'Invalid Date'" in err
    assert "1 warnings" in out


def test_toml_and_json_front_matter(tmp_path):
    write(tmp_path, "t.md", '+++\ntitle = "Toml story"\ndate = 2020-05-01T10:00:00Z\ntags = ["a"]\n+++\nBody *t*')
    write(tmp_path, "j.md", '{\n"title": "Json story",\n"tags": ["b"]\n}\nBody *j*')
    run_import(tmp_path)
    toml, json = Article.objects.get(title="Toml story"), Article.objects.get(title="Json story")
    assert toml.published_at == dt.datetime(2020, 5, 1, 10, tzinfo=dt.UTC)
    assert list(toml.tags.names()) == ["a"] and list(json.tags.names()) == ["b"]
    assert toml.body == "<p>Body <em>t</em></p>"


def test_bom_crlf_and_leading_blank_lines(tmp_path):
    (tmp_path / "a.md").write_bytes("\ufeff\r\n\r\n---\r\ntitle: Windows\r\n---\r\nLine one\r\n".encode())
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.title == "Windows"
    assert article.body == "<p>Line one</p>"


def test_unmapped_keys_are_kept_and_drafts_stay_drafts(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Kept\ndraft: true\nlayout: post\nweight: 3\nparams: {x: 1}\n---\nBody")
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.extra == {"layout": "post", "weight": 3, "params": {"x": 1}}


def test_more_marker_gives_the_summary_and_is_removed(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Teaser\n---\nThe teaser.\n\n<!-- more -->\n\nThe rest.")
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.standfirst == "The teaser."
    assert "more" not in article.body and "The rest." in article.body


def test_summary_is_cut_by_characters_for_chinese(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: 长文\n---\n" + "气候变化是全人类面临的共同挑战" * 30)
    run_import(tmp_path)
    assert len(Article.objects.get().standfirst) == 160


def test_list_of_category_lists_files_under_the_first(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Two homes\ncategories:\n  - [前端, 编码规范]\n  - [工具]\n---\nBody")
    run_import(tmp_path)
    article = Article.objects.get()
    assert str(article.category) == "前端 / 编码规范"
    assert article.extra["categories"] == [["前端", "编码规范"], ["工具"]]


def test_hostile_body_is_sanitised_on_import(tmp_path):
    write(
        tmp_path,
        "a.md",
        '---\ntitle: Hostile\n---\n<div><style>p{}</style><p onclick="x()">Hi</p><script>bad()</script></div>',
    )
    run_import(tmp_path)
    assert Article.objects.get().body == "<div><p>Hi</p></div>"


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
    assert dated.substantively_updated_at == dt.datetime(2020, 6, 1, 10, tzinfo=UTC)
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
    assert article.substantively_updated_at == dt.datetime(2020, 2, 1, tzinfo=UTC)
    assert article.expires_at == dt.datetime(2028, 2, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    "key",
    [
        "updated",
        "lastmod",
        "modified",
        "last_modified_at",
        "last_modified",
        "updated_at",
        "modified_at",
        "dateModified",
    ],
)
def test_the_sources_updated_key_is_the_stories_updated_time(tmp_path, client, key):
    write(tmp_path, "a.md", f"---\ntitle: T\ndate: 2020-01-01\n{key}: 2020-02-01 10:00\n---\nB")
    run_import(tmp_path)
    page = client.get(only().get_absolute_url()).content.decode()
    assert '"dateModified": "2020-02-01T10:00:00+00:00"' in page


def test_no_import_freshens_a_storys_dates(tmp_path, client):
    """Neither an unchanged re-run nor a changed file without an `updated` key is an update:
    dateModified, the feeds' updated dates and the sitemap's lastmod stay the publication's."""
    path = write(tmp_path, "a.md", "---\ntitle: Tides\ndate: 2020-01-01 08:00\n---\nThe tide turns.")

    def dates():
        story = only()
        page = client.get(story.get_absolute_url())
        modified = re.search(r'"dateModified": "([^"]+)"', page.content.decode()).group(1)
        atom = re.search(r"<updated>([^<]+)</updated>", client.get("/feed/atom/").content.decode()).group(1)
        lastmod = re.search(r"<lastmod>([^<]+)</lastmod>", client.get("/sitemaps/articles.xml").content.decode())
        updated = '<span class="updated">' in page.content.decode()
        return modified, atom, lastmod.group(1), updated, page["ETag"]

    run_import(tmp_path)
    first = dates()
    assert first[:4] == ("2020-01-01T08:00:00+00:00", "2020-01-01T08:00:00+00:00", "2020-01-01", False)
    assert "1 unchanged" in run_import(tmp_path)[0]
    assert dates() == first  # the very same page
    path.write_text("---\ntitle: Tides\ndate: 2020-01-01 08:00\n---\nThe tide turns twice a day.", encoding="utf-8")
    assert "1 updated" in run_import(tmp_path)[0]
    assert dates()[:4] == first[:4]


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


def test_values_yaml_would_change_are_kept_as_written(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: 3.10\ntags: [python, 3.10]\nweight: 3\n---\nB")
    run_import(tmp_path)
    assert only().title == "3.10"
    assert sorted(only().tags.names()) == ["3.10", "python"]
    assert only().extra["weight"] == 3


def test_unreadable_date_does_not_lose_the_other_times(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\ndate: Invalid Date\nlastmod: 2020-02-01\n---\nB")
    run_import(tmp_path)
    assert only().substantively_updated_at == dt.datetime(2020, 2, 1, tzinfo=UTC)


def test_overlong_title_is_cut_and_kept_whole(tmp_path):
    title = "A very long headline " * 20
    write(tmp_path, "a.md", f"---\ntitle: '{title}'\n---\nB")
    _, err = run_import(tmp_path)
    assert len(only().title) == 300 and only().title.endswith("…")
    assert only().extra["full_title"] == title.strip()
    assert "title: 419 characters, cut to 300" in err


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


def test_seed_article_field_by_field():
    out, _ = run_import(SEED)
    assert "1 created" in out
    article = Article.objects.get()
    assert article.title == "中国特使解振华：中美合作是唯一正确选择"
    assert article.published_at == dt.datetime(2021, 11, 12, 8, 4, 9, tzinfo=dt.UTC)
    assert article.status == Article.Status.PUBLISHED
    assert str(article.category) == "新媒体 / 观察者网 / 头条"
    assert [a.name for a in article.byline] == ["观察者网"]
    assert article.lead_image_url == "https://i.guancha.cn/news/2021/11/12/20211112081622209.jpg"
    assert article.body_format == Article.BodyFormat.HTML
    assert 'referrerpolicy="no-referrer"' in article.body
    assert article.body.count("<p>") == 13
    assert "解振华说" in article.body
    assert article.standfirst.startswith("11月10日，中国和美国在英国格拉斯哥")
    assert article.extra == {
        "comments": False,
        "headimg": "https://i.guancha.cn/news/2021/11/12/20211112081622209.jpg",
    }
    assert article.source_key == f"path:{SEED}"  # no content folder in the path: the whole path
    assert len(article.source_hash) == 64
    assert article.imported_at is not None


# YAML 1.1 reads people's words as other things; front matter keeps what was written.


@pytest.mark.parametrize("written", ["No", "yes", "Off", "1:30", "0755", "1.10"])
def test_a_title_is_the_text_that_was_written(tmp_path, written):
    write(tmp_path, "post.md", f"---\ntitle: {written}\ndate: 2024-05-01\n---\nBody.\n")
    run_import(tmp_path)
    assert only().title == written


def test_tags_and_names_keep_their_words_and_zeros(tmp_path):
    write(
        tmp_path,
        "post.md",
        "---\ntitle: Norway votes\ndate: 2024-05-01\nauthor: Off\ntags: [NO, on, y, 01234, 3.10]\n---\nBody.\n",
    )
    run_import(tmp_path)
    article = only()
    assert sorted(article.tags.names()) == sorted(["NO", "on", "y", "01234", "3.10"])
    assert [a.name for a in article.byline] == ["Off"]


@pytest.mark.parametrize("flag", ["no", "off", "false"])
def test_a_published_flag_in_words_still_keeps_a_story_from_readers(tmp_path, flag):
    write(tmp_path, "post.md", f"---\ntitle: Embargoed\ndate: 2024-05-01\npublished: {flag}\n---\nBody.\n")
    out, err = run_import(tmp_path)
    article = only()
    assert article.status == "draft" and article.published_at is not None and "unreadable date" not in out + err


def test_a_yaml_bomb_is_refused_with_its_reason_and_the_rest_imported(tmp_path):
    """Nine lines, 81 aliases, a billion values once spelled out."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, name in enumerate("bcdefghij"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + 'abcdefghij'[n]] * 9)}]")
    write(tmp_path, "bomb.md", "---\ntitle: Laughs\n" + "\n".join(lines) + "\n---\nBody.\n")
    write(tmp_path, "fine.md", "---\ntitle: Harbour reopens\ndate: 2024-05-01\n---\nBody.\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    assert only().title == "Harbour reopens"
    reason = next(line for line in err.getvalue().splitlines() if "bomb.md" in line)
    assert "more than 10,000 values once its YAML aliases are spelled out" in reason
