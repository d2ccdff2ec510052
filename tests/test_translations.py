"""Linked translations: versions of one story in other languages link each other for readers
(a language switcher), for search engines (hreflang in the head and in sitemaps), and are
linked by editors in the admin and by the importer from the front matter and folder layouts."""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone
from lxml import etree, html

from articles import freshness
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.utils import change_form, run_import, write

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def story():
    """One story in English (the site's language), Chinese, and Japanese (still a draft)."""
    now = timezone.now()
    english = ArticleFactory(title="Ferry fares fall", language="", translation_key="fares", published_at=now)
    chinese = ArticleFactory(
        title="渡轮票价下调", language="zh-hans", translation_key="fares", published_at=now - dt.timedelta(hours=1)
    )
    japanese = ArticleFactory(
        title="フェリー運賃値下げ", language="ja", translation_key="fares", status=Article.Status.DRAFT
    )
    return english, chinese, japanese


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return html.fromstring(response.content)


def absolute(article, host="testserver"):
    return f"http://{host}{article.get_absolute_url()}"


def alternates(tree) -> dict:
    return {link.get("hreflang"): link.get("href") for link in tree.xpath("//head/link[@rel='alternate'][@hreflang]")}


def switcher(tree) -> list:
    (nav,) = tree.xpath("//nav[contains(@class, 'language-switcher')]")
    return [
        (item.tag, item.get("lang"), item.get("hreflang"), item.get("href"), item.text)
        for item in nav.iter("a", "span")
    ]


def test_the_switcher_offers_each_published_version_in_its_own_language(client, story):
    english, chinese, _ = story
    assert switcher(page(client, english)) == [
        ("a", "zh-hans", "zh-hans", chinese.get_absolute_url(), "简体中文"),  # the original: the older
        ("span", "en-us", None, None, "English"),  # this page, marked as the current one
    ]
    assert switcher(page(client, chinese)) == [
        ("span", "zh-hans", None, None, "简体中文"),
        ("a", "en-us", "en-us", english.get_absolute_url(), "English"),
    ]
    nav = page(client, english).xpath("//nav[contains(@class, 'language-switcher')]")[0]
    assert nav.get("aria-label") and nav.xpath(".//span[@aria-current='page']")


def test_the_head_names_every_published_version_and_an_x_default(client, story):
    english, chinese, japanese = story
    expected = {"en-us": absolute(english), "zh-hans": absolute(chinese), "x-default": absolute(english)}
    assert alternates(page(client, english)) == expected
    assert alternates(page(client, chinese)) == expected  # the same set on every version


def test_x_default_is_the_original_when_none_is_in_the_sites_language(client):
    now = timezone.now()
    chinese = ArticleFactory(language="zh_cn", translation_key="k", published_at=now - dt.timedelta(days=1))
    japanese = ArticleFactory(language="ja", translation_key="k", published_at=now)
    assert alternates(page(client, japanese)) == {
        "zh-cn": absolute(chinese),  # as a BCP 47 tag: imported `zh_cn`
        "ja": absolute(japanese),
        "x-default": absolute(chinese),
    }


@pytest.mark.parametrize("state", ["draft", "scheduled", "retracted"])
def test_a_version_readers_cannot_see_is_never_linked(client, story, state):
    english, chinese, japanese = story
    if state == "scheduled":
        Article.objects.filter(pk=chinese.pk).update(published_at=timezone.now() + dt.timedelta(days=1))
    elif state == "retracted":
        from articles import workflow

        workflow.retract(Article.objects.get(pk=chinese.pk), UserFactory(groups=["Editors"]), "retraction", "Wrong.")
    else:
        Article.objects.filter(pk=chinese.pk).update(status=Article.Status.DRAFT)
    freshness.invalidate_everything()
    tree = page(client, english)
    assert not alternates(tree) and not tree.xpath("//nav[contains(@class, 'language-switcher')]")
    assert japanese.get_absolute_url() not in client.get(english.get_absolute_url()).content.decode()


def test_a_story_without_translations_costs_no_query_and_one_with_them_one(client, django_assert_num_queries):
    alone = ArticleFactory(authors=[AuthorFactory()], tags=["a"])
    english = ArticleFactory(authors=[AuthorFactory()], tags=["b"], translation_key="k")
    ArticleFactory(authors=[AuthorFactory()], tags=["c"], translation_key="k", language="zh-hans")
    freshness.next_publication()
    client.get(ArticleFactory().get_absolute_url())  # the navigation, kept for every page after
    # a first visit as test_views pins it (a top section: no breadcrumb query; navigation kept)
    with django_assert_num_queries(7):
        client.get(alone.get_absolute_url())
    with django_assert_num_queries(8):  # and its published versions, in one query
        client.get(english.get_absolute_url())
    for article in (alone, english):  # then kept with the page's fragments: the article alone
        with django_assert_num_queries(1):
            client.get(article.get_absolute_url())


def test_sitemaps_carry_the_same_alternates(client, story):
    english, chinese, japanese = story
    lonely = ArticleFactory(title="No translation")
    host = Site.objects.get_current().domain
    response = client.get("/sitemaps/articles.xml")
    root = etree.fromstring(response.content)  # well-formed, with the xhtml namespace declared
    assert root.tag == f"{SITEMAP}urlset"
    urls = {url.findtext(f"{SITEMAP}loc"): url for url in root.iter(f"{SITEMAP}url")}
    assert set(urls) == {absolute(a, host) for a in (english, chinese, lonely)}
    expected = {
        ("en-us", absolute(english, host)),
        ("zh-hans", absolute(chinese, host)),
        ("x-default", absolute(english, host)),
    }
    for version in (english, chinese):
        links = urls[absolute(version, host)].findall(f"{XHTML}link")
        assert {(link.get("hreflang"), link.get("href")) for link in links} == expected
        assert {link.get("rel") for link in links} == {"alternate"}
        assert [child.tag for child in urls[absolute(version, host)]][0] == f"{SITEMAP}loc"
    assert not urls[absolute(lonely, host)].findall(f"{XHTML}link")
    assert japanese.get_absolute_url() not in response.content.decode()


def test_a_sitemap_page_reads_every_group_in_one_query(client, django_assert_num_queries):
    for n in range(6):
        ArticleFactory(translation_key=f"k{n}", language="en")
        ArticleFactory(translation_key=f"k{n}", language="zh-hans")
    ArticleFactory()
    client.get("/sitemaps/articles.xml")
    freshness.invalidate_everything()
    with django_assert_num_queries(3):  # site, the page's articles, their versions
        client.get("/sitemaps/articles.xml")


# --- editors --------------------------------------------------------------------------------


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_an_editor_links_and_unlinks_translations(editor, client):
    english = ArticleFactory(title="Tram opens", language="en")
    chinese = ArticleFactory(title="电车开通", language="zh-hans")
    found = editor.get(reverse("admin:articles_article_translation_autocomplete"), {"term": "电车"}).json()
    assert [r["id"] for r in found["results"]] == [chinese.pk]
    response = editor.post(change_url(english), change_form(english, translations=[chinese.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    english.refresh_from_db(), chinese.refresh_from_db()
    assert english.translation_key and english.translation_key == chinese.translation_key
    assert "电车开通" in editor.get(change_url(english)).content.decode()  # the group, in the form
    assert [a[3] for a in switcher(page(client, english)) if a[0] == "a"] == [chinese.get_absolute_url()]

    response = editor.post(change_url(chinese), change_form(chinese, translations=[]))
    assert response.status_code == 302
    english.refresh_from_db(), chinese.refresh_from_db()
    assert Article.objects.translations_of(english).count() == 0
    assert not page(client, english).xpath("//nav[contains(@class, 'language-switcher')]")


def test_two_versions_in_one_language_are_refused(editor):
    one = ArticleFactory(title="Tram opens", language="zh-hans")
    other = ArticleFactory(title="电车开通", language="zh_Hans")  # the same language, written otherwise
    response = editor.post(change_url(one), change_form(one, translations=[other.pk]))
    assert response.status_code == 200
    assert "are both in" in response.content.decode()
    assert not Article.objects.exclude(translation_key="").exists()


def test_a_writer_cannot_link_a_story_they_may_not_change(writer, writer_user):
    own = ArticleFactory(title="My draft", status=Article.Status.DRAFT, language="en", authors=[writer_user.author])
    theirs = ArticleFactory(title="其他人的报道", language="zh-hans")  # published, someone else's
    before = Article.objects.get(pk=theirs.pk).edit_version
    response = writer.post(change_url(own), change_form(own, translations=[theirs.pk]))  # forged: a request
    assert response.status_code == 200
    assert "linking or unlinking a translation changes it too" in response.content.decode()
    theirs.refresh_from_db()
    assert (theirs.translation_key, theirs.edit_version) == ("", before)
    assert Article.objects.get(pk=own.pk).translation_key == ""


def test_unlinking_every_version_takes_only_this_story_out(writer, writer_user):
    """A writer's draft leaves a group of others' stories, which stay linked to each other."""
    own = ArticleFactory(status=Article.Status.DRAFT, language="ja", authors=[writer_user.author], translation_key="k")
    english = ArticleFactory(language="en", translation_key="k")
    chinese = ArticleFactory(language="zh-hans", translation_key="k")
    response = writer.post(change_url(own), change_form(own, translations=[]))
    assert response.status_code == 302
    assert Article.objects.get(pk=own.pk).translation_key == ""
    assert list(Article.objects.translations_of(Article.objects.get(pk=english.pk))) == [chinese]


def test_readers_cannot_search_articles_to_link(client, writer):
    ArticleFactory(title="Secret draft", status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_translation_autocomplete")
    assert client.get(url, {"term": "Secret"}).status_code == 302  # to the sign-in page
    assert writer.get(url, {"term": "Secret"}).json()["results"] == []  # not theirs to see


# --- the importer ---------------------------------------------------------------------------


def keys_by_title():
    return {a.title: (a.translation_key, a.language) for a in Article.objects.all()}


def groups():
    found = Counter(Article.objects.exclude(translation_key="").values_list("translation_key", flat=True))
    return sorted(sorted(Article.objects.filter(translation_key=k).values_list("title", flat=True)) for k in found)


def test_the_importer_links_what_files_declare(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Fares fall\ntranslationKey: fares\nlang: en\n---\nBody")
    write(tmp_path, "b.md", "---\ntitle: 票价下调\ntranslationKey: fares\nlang: zh-hans\n---\n正文")
    write(tmp_path, "site/_posts/2024-01-02-about.md", "---\ntitle: About us\nref: about\nlang: en\n---\nBody")
    write(tmp_path, "site/_posts/2024-01-02-uber.md", "---\ntitle: Über uns\nref: about\nlang: de\n---\nText")
    run_import(tmp_path)
    assert groups() == [["About us", "Über uns"], ["Fares fall", "票价下调"]]


def test_the_importer_links_files_by_their_place(tmp_path):
    write(tmp_path, "hugo/content/posts/storm.md", "---\ntitle: Storm warning\n---\nBody")
    write(tmp_path, "hugo/content/posts/storm.zh.md", "---\ntitle: 风暴预警\n---\n正文")
    write(tmp_path, "hugo/content/posts/storm.fr.md", "---\ntitle: Alerte tempête\n---\nTexte")
    write(tmp_path, "hugo/content/posts/calm.md", "---\ntitle: Calm seas\n---\nBody")
    write(tmp_path, "multi/content/en/news/tide.md", "---\ntitle: Tides\n---\nBody")
    write(tmp_path, "multi/content/ja/news/tide.md", "---\ntitle: 潮汐\n---\n本文")
    for lang, title in (("en", "Ruby 3 released"), ("zh_cn", "Ruby 3 已发布")):
        write(tmp_path, f"ruby/{lang}/news/_posts/2020-12-25-ruby-3.md", f"---\ntitle: {title}\nlang: {lang}\n---\nx")
    run_import(tmp_path)
    assert groups() == [
        ["Alerte tempête", "Storm warning", "风暴预警"],
        ["Ruby 3 released", "Ruby 3 已发布"],
        ["Tides", "潮汐"],
    ]
    found = keys_by_title()
    assert found["Calm seas"] == ("", "")
    assert (found["风暴预警"][1], found["Alerte tempête"][1], found["潮汐"][1]) == ("zh", "fr", "ja")  # from the names

    out, _ = run_import(tmp_path)  # idempotent
    assert ", 0 created, 0 updated," in out.replace("files:", "files:,")
    assert keys_by_title() == found


def test_a_second_version_in_one_language_is_imported_unlinked_with_a_warning(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: First\ntranslationKey: k\nlang: en\n---\nBody")
    write(tmp_path, "b.md", "---\ntitle: Second\ntranslationKey: k\nlang: en\n---\nBody")
    out, err = run_import(tmp_path)
    assert "translationKey 'k': “First” is already its en version; imported without the link" in out + err
    assert keys_by_title() == {"First": ("k", "en"), "Second": ("", "en")}


def test_an_export_keeps_the_links(tmp_path, story):
    from django.core.management import call_command

    from tests.utils import empty_content

    linked = {a.title: a.translation_key for a in Article.objects.all()}
    call_command("export_articles", str(tmp_path / "out"))
    assert "translationKey: fares" in next((tmp_path / "out").rglob("index.md")).read_text()
    empty_content()
    run_import(tmp_path / "out")
    assert {a.title: a.translation_key for a in Article.objects.all()} == linked


def test_a_link_renews_the_other_versions_pages(client, settings):
    """A page showing other versions goes stale when one joins, is published or withdrawn."""
    from articles import translations

    settings.PAGE_CACHE_SECONDS = 300
    english = ArticleFactory(title="Tram opens", language="en", translation_key="tram")
    chinese = ArticleFactory(title="电车开通", language="zh-hans", status=Article.Status.DRAFT, translation_key="tram")
    japanese = ArticleFactory(title="路面電車開通", language="ja")
    url = english.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    chinese.status = Article.Status.PUBLISHED
    chinese.save()  # published into the group
    assert chinese.get_absolute_url() in client.get(url).content.decode()

    client.get(url)
    japanese = Article.objects.get(pk=japanese.pk)
    linking = translations.plan(japanese, [english])
    japanese.translation_key = linking.key
    japanese.save()
    translations.link(japanese, linking)  # joins, as the admin links it
    assert japanese.get_absolute_url() in client.get(url).content.decode()

    client.get(url)
    chinese.title = "电车今日开通"
    chinese.save()  # another version's title, shown in the switcher
    assert "电车今日开通" in client.get(url).content.decode()


# --- the shared corpus ----------------------------------------------------------------------


def test_the_corpus_translated_posts_come_out_linked(corpus):
    """ruby-lang's news in several languages under `<lang>/news/_posts/` with the same name are
    one story's versions; nothing else in these archives is linked by mistake."""
    ruby = corpus / "jekyll" / "ruby-lang"
    rust = corpus / "zola-toml"
    run_import(ruby, rust)
    posts = ruby.glob("*/news/_posts/*.md")
    by_name = Counter(p.name for p in posts)
    shared = {name for name, count in by_name.items() if count > 1}
    assert len(shared) == 90  # 209 files: en, zh_cn, ja… versions of one story
    for name in shared:
        versions = Article.objects.filter(source_path__endswith=f"/news/_posts/{name}")
        assert versions.count() == by_name[name]
        assert len({v.translation_key for v in versions}) == 1 and versions[0].translation_key, name
    pair = Article.objects.filter(source_path__endswith="/2018-03-28-ruby-2-5-1-released.md")
    assert sorted(pair.values_list("title", "language")) == [
        ("Ruby 2.5.1 Released", "en"),
        ("Ruby 2.5.1 已发布", "zh_cn"),
    ]
    # The Rust blog's sample has no translated post (its translations live on other sites,
    # linked from the text): none of its articles may come out linked.
    rust_linked = Article.objects.filter(source_path__startswith=str(rust)).exclude(translation_key="")
    assert not rust_linked.exists()
