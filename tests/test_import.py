import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author, Category
from tests.utils import run_import, write

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[1] / "articles" / "sample_content" / "000_6a04a1efea1f1887.txt"


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


def test_reimport_is_idempotent(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: A\ndate: 2024-01-02\ntags: [x, y]\nauthor: Ann\ncategories: [News, City]\n---\nBody",
    )
    run_import(tmp_path)
    out, _ = run_import(tmp_path)
    assert "0 created, 0 updated, 1 unchanged" in out
    assert Article.objects.count() == 1
    assert Author.objects.count() == 1
    assert Category.objects.count() == 2


def test_changed_file_updates_its_article_in_place(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: First\ntags: [x]\nauthor: Ann\n---\nOne")
    run_import(tmp_path)
    original = Article.objects.get()
    path.write_text("---\ntitle: Second\ntags: [y]\nauthors: [Bo, Ann]\n---\nTwo", encoding="utf-8")
    out, _ = run_import(tmp_path)
    assert "1 updated" in out
    article = Article.objects.get()
    assert article.pk == original.pk
    assert article.slug == original.slug  # the address readers know stays put
    assert article.title == "Second"
    assert list(article.tags.names()) == ["y"]
    assert [a.name for a in article.byline] == ["Bo", "Ann"]


def test_one_bad_file_is_reported_and_the_rest_import(tmp_path):
    write(tmp_path, "good-1.md", "---\ntitle: Good one\n---\nText")
    write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText")
    write(tmp_path, "good-2.md", "---\ntitle: Good two\n---\nText")
    write(tmp_path, "untitled.md", "---\nauthor: Someone\n---\nText")
    with pytest.raises(CommandError) as excinfo:
        run_import(tmp_path)
    assert "2 created, 0 updated, 0 unchanged, 1 skipped, 1 failed" in str(excinfo.value)
    assert set(Article.objects.values_list("title", flat=True)) == {"Good one", "Good two"}
    assert not Author.objects.filter(name="Someone").exists()  # nothing half-written


def test_failure_lines_name_the_file_and_the_reason(tmp_path):
    bad = write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText")
    untitled = write(tmp_path, "untitled.md", "---\nauthor: Someone\n---\nText")
    plain = write(tmp_path, "plain.md", "Just text, no front matter.")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert f"{bad}: front matter is not valid YAML: did not find expected ',' or ']' (line 3)" in lines
    assert f"{untitled}: skipped: no title in the front matter (not an article)" in lines
    assert any(line.startswith(f"{plain}: skipped: no front matter") for line in lines)


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


def test_dry_run_writes_nothing(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Not yet\nauthor: Ann\ncategories: [X]\n---\nBody")
    out, _ = run_import(tmp_path, dry_run=True)
    assert "Dry run, nothing written. 1 files: 1 readable" in out
    assert not Article.objects.exists() and not Author.objects.exists() and not Category.objects.exists()


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run_import(tmp_path / "nope")


def test_extensions_option_picks_the_files(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Md\n---\nBody")
    write(tmp_path, "b.txt", "---\ntitle: Txt\n---\nBody")
    run_import(tmp_path, extensions=".txt")
    assert list(Article.objects.values_list("title", flat=True)) == ["Txt"]


def test_progress_bar_on_a_terminal_only(tmp_path):
    for n in range(60):
        write(tmp_path, f"{n}.md", f"---\ntitle: Story {n}\n---\nBody")

    class Terminal(StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=terminal)
    assert "\r[" in terminal.getvalue() and "60/60" in terminal.getvalue()
    piped = StringIO()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=piped)
    assert piped.getvalue() == ""
    quiet = Terminal()
    call_command("import_articles", str(tmp_path), stdout=StringIO(), stderr=quiet, verbosity=0)
    assert quiet.getvalue() == ""
