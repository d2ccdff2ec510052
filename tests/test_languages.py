"""An article's language: taken from its file, else from its text; chosen by editors in the
admin; followed by the page's `<html lang>`, its JSON-LD and the Google News sitemap."""

import json
import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory
from tests.utils import change_form, run_import, write

pytestmark = pytest.mark.django_db

SIMPLIFIED = (
    "中国特使解振华表示，中美在气候变化问题上的合作是唯一正确的选择。这个会议的时间已经确定，各国代表将会发表讲话。"
)
TRADITIONAL = (
    "中國特使解振華表示，中美在氣候變化問題上的合作是唯一正確的選擇。這個會議的時間已經確定，各國代表將會發表講話。"
)


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html).group(1)


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize(
    "front, body, language",
    [
        ("", SIMPLIFIED, "zh-hans"),
        ("", TRADITIONAL, "zh-hant"),
        ("", "The ferry sails at dawn, weather permitting; 渡轮 is its name in Chinese.", ""),
        # Code is not prose: a Chinese post about code is Chinese.
        (
            "",
            SIMPLIFIED + "\n\n```js\nconst webpack = require('webpack'); module.exports = { mode: 'none' };\n```",
            "zh-hans",
        ),
        ("lang: en\n", SIMPLIFIED, "en"),  # the file says: it wins
        ("lang: zh_cn\n", SIMPLIFIED, "zh_cn"),
    ],
)
def test_a_file_that_names_no_language_is_in_the_language_of_its_text(tmp_path, client, front, body, language):
    write(tmp_path, "a.md", f"---\ntitle: 气候\ndate: 2021-11-12\n{front}---\n{body}\n")
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.language == language
    page = client.get(article.get_absolute_url()).content.decode()
    expected = (language or "en-us").replace("_", "-")
    assert html_lang(page) == expected and json_ld(page)["inLanguage"] == expected
    assert f'<article class="article" lang="{expected}">' in page


def test_reimporting_an_unchanged_file_keeps_an_editors_choice_of_language(tmp_path):
    write(tmp_path, "a.md", f"---\ntitle: 气候\ndate: 2021-11-12\n---\n{SIMPLIFIED}\n")
    run_import(tmp_path)
    Article.objects.update(language="zh-hant")
    out, _ = run_import(tmp_path)
    assert "1 unchanged" in out and Article.objects.get().language == "zh-hant"


def test_an_editor_chooses_the_language_and_the_page_follows(editor, client):
    story = ArticleFactory(body_source=SIMPLIFIED, language="")
    url = reverse("admin:articles_article_change", args=[story.pk])
    form = editor.get(url).content.decode()
    assert re.search(r'<select name="language"[^>]*>', form)
    assert (
        '<option value="zh-hans">' in form
        and '<option value="zh-hant">' in form
        and '<option value="" selected>' in form
    )
    response = editor.post(url, change_form(story, language="zh-hans"))
    assert response.status_code == 302
    assert html_lang(client.get(story.get_absolute_url()).content.decode()) == "zh-hans"


def test_a_language_that_is_no_choice_is_refused_but_an_imported_code_stays_one(editor):
    story = ArticleFactory(language="zh_cn")
    url = reverse("admin:articles_article_change", args=[story.pk])
    assert '<option value="zh_cn" selected>' in editor.get(url).content.decode()
    refused = editor.post(url, change_form(story, language="<script>"))
    assert refused.status_code == 200 and "language" in refused.context["adminform"].form.errors
    assert editor.post(url, change_form(story)).status_code == 302  # its own code still saves


def test_the_language_choice_is_in_chinese_for_a_chinese_interface():
    from django.forms import modelform_factory
    from django.utils import translation

    from articles.admin.forms import ArticleAdminForm

    form = modelform_factory(Article, form=ArticleAdminForm, fields=["language", "tags"])
    with translation.override("zh-hans"):
        field = form(instance=ArticleFactory())["language"]
        html = str(field) + str(field.label) + str(field.help_text)
    assert "语言" in html and "网站的语言（en-us）" in html and "繁体中文" in html and "按正文判断" in html
