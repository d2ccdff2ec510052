"""Bylines with roles: how they read in English and Chinese, in JSON-LD and feeds, on author
pages, in the admin and its history, and through import and export."""

import json
import re

import pytest
from django.urls import reverse

from articles.models import Article, Byline
from tests.factories import ArticleFactory, AuthorFactory
from tests.utils import change_form, run_import, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def credited():
    """A story by two reporters, photographed by one person and translated by another."""
    ann, ben = AuthorFactory(name="Ann Lee"), AuthorFactory(name="Ben Ng")
    cai, dai = AuthorFactory(name="Cai Yun"), AuthorFactory(name="Dai Wen")
    article = ArticleFactory(
        title="Harbour ferry returns",
        authors=[ann, (cai, "Photographs by"), ben, (dai, "Translated by")],
    )
    return article, ann, ben, cai, dai


def byline_text(html: str, css="article-meta") -> str:
    """The byline as a reader reads it (tags dropped)."""
    block = re.search(rf'<p class="{css}">\s*<span class="byline">(.*?)</span>', html, re.DOTALL).group(1)
    return re.sub(r"<[^>]+>", "", block)


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))


def test_the_article_page_says_who_did_what_in_english(client, credited):
    article, ann, ben, cai, dai = credited
    html = client.get(article.get_absolute_url()).content.decode()
    assert byline_text(html) == "By Ann Lee and Ben Ng; photographs by Cai Yun; translated by Dai Wen"
    assert f'<a href="{ann.get_absolute_url()}" rel="author">Ann Lee</a>' in html
    assert f'<a href="{cai.get_absolute_url()}">Cai Yun</a>' in html  # a contributor, not an author


def test_the_article_page_says_who_did_what_in_chinese(client, credited, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    article, *_ = credited
    html = client.get(article.get_absolute_url()).content.decode()
    assert byline_text(html) == "记者 Ann Lee、Ben Ng；摄影 Cai Yun；翻译 Dai Wen"


def test_three_authors_read_with_commas_and_and(client):
    names = [AuthorFactory(name=n) for n in ("Ann", "Ben", "Cai")]
    html = client.get(ArticleFactory(authors=names).get_absolute_url()).content.decode()
    assert byline_text(html) == "By Ann, Ben and Cai"


def test_a_role_an_editor_typed_is_shown_as_typed_in_both_languages(client, settings):
    ann, eve = AuthorFactory(name="Ann"), AuthorFactory(name="Eve")
    article = ArticleFactory(authors=[ann, (eve, "Illustrations by")])
    assert byline_text(client.get(article.get_absolute_url()).content.decode()) == "By Ann; Illustrations by Eve"
    settings.LANGUAGE_CODE = "zh-hans"
    assert byline_text(client.get(article.get_absolute_url()).content.decode()) == "记者 Ann；Illustrations by Eve"


def test_a_story_with_only_contributors_starts_with_their_role(client):
    article = ArticleFactory(authors=[(AuthorFactory(name="Cai"), "Photographs by")])
    assert byline_text(client.get(article.get_absolute_url()).content.decode()) == "Photographs by Cai"


def test_cards_and_results_show_the_authors(client, credited):
    article, *_ = credited
    cards = client.get(reverse("articles:list")).content.decode()
    assert byline_text(cards, "card__meta") == "By Ann Lee and Ben Ng"
    results = client.get(reverse("articles:search"), {"q": "ferry"}).content.decode()
    assert byline_text(results, "card__meta") == "By Ann Lee and Ben Ng"


def test_json_ld_lists_authors_contributors_and_translators(client, credited):
    article, ann, ben, cai, dai = credited
    reporter = AuthorFactory(name="Eve Reporter")
    Byline.objects.create(article=article, author=reporter, role="Reporting by", position=4)
    data = json_ld(client.get(article.get_absolute_url()).content.decode())

    def person(author):
        return {"@type": "Person", "name": author.name, "url": f"http://testserver{author.get_absolute_url()}"}

    assert data["author"] == [person(ann), person(ben), person(reporter)]
    assert data["contributor"] == [person(cai), person(dai)]
    assert data["translator"] == [person(dai)]


def test_json_ld_of_a_plain_byline_has_no_contributors(client):
    data = json_ld(client.get(ArticleFactory().get_absolute_url()).content.decode())
    assert len(data["author"]) == 1 and "contributor" not in data and "translator" not in data


@pytest.mark.parametrize("named", [[("Photographs by", "Cai")], []], ids=["only a photographer", "nobody"])
def test_json_ld_of_a_story_no_one_is_named_writing_gives_the_publisher_as_author(client, settings, named):
    article = ArticleFactory(authors=[(AuthorFactory(name=name), role) for role, name in named])
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["author"] == [{"@type": "Organization", "name": settings.SITE_NAME, "url": "http://testserver/"}]


def test_feeds_name_the_authors_not_the_photographer(client, credited):
    feed = client.get(reverse("articles:feed")).content.decode()
    assert '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ann Lee, Ben Ng</dc:creator>' in feed
    assert "Cai Yun" not in feed
    atom = client.get(reverse("articles:feed-atom")).content.decode()
    assert "<name>Ann Lee, Ben Ng</name>" in atom and "Cai Yun" not in atom


def test_a_contributors_page_lists_the_story(client, credited):
    article, *_, cai, _dai = credited
    assert article.title in client.get(cai.get_absolute_url()).content.decode()


# The admin


def test_an_editor_saves_a_role_and_readers_see_it(superuser, client):
    zhou, lin = AuthorFactory(name="Zhou"), AuthorFactory(name="Lin")
    article = ArticleFactory(title="Typhoon", authors=[zhou, lin])
    data = change_form(article)
    data["bylines-1-role"] = "photographer"  # a known role, however spelled, is that role
    response = superuser.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert list(Article.objects.get(pk=article.pk).bylines.values_list("role", flat=True)) == ["", "Photographs by"]
    assert byline_text(client.get(article.get_absolute_url()).content.decode()) == "By Zhou; photographs by Lin"

    data = change_form(article)
    data["bylines-1-role"] = "  Map  by "  # free text: kept as typed (spaces folded)
    superuser.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert byline_text(client.get(article.get_absolute_url()).content.decode()) == "By Zhou; Map by Lin"


def test_the_byline_inline_offers_the_roles(superuser, settings):
    html = superuser.get(reverse("admin:articles_article_add")).content.decode()
    assert 'list="byline-roles"' in html
    datalist = re.search(r'<datalist id="byline-roles">(.*?)</datalist>', html, re.DOTALL).group(1)
    assert '<option value="Photographs by">Photographs by</option>' in datalist
    assert '<option value="Translated by">Translated by</option>' in datalist
    assert 'name="bylines-__prefix__-role"' in html and html.count('<datalist id="byline-roles">') == 1
    settings.LANGUAGE_CODE = "zh-hans"  # the suggestions read in the editor's language, stored as the role
    html = superuser.get(reverse("admin:articles_article_add")).content.decode()
    assert '<option value="Photographs by">摄影</option>' in html


def test_the_change_list_names_contributors_with_their_role(superuser, credited):
    html = superuser.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Ann Lee, Cai Yun (Photographs by), Ben Ng, Dai Wen (Translated by)" in html


def test_history_shows_a_role_change_and_restore_brings_the_role_back(superuser):
    zhou, lin = AuthorFactory(name="Zhou"), AuthorFactory(name="Lin")
    article = ArticleFactory(title="Typhoon", authors=[zhou, (lin, "Photographs by")])
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert superuser.post(url, change_form(article)).status_code == 302  # the first revision
    data = change_form(article)
    data["bylines-1-role"] = "Video by"
    assert superuser.post(url, data).status_code == 302
    from reversion.models import Version

    new, old = Version.objects.get_for_object(article)
    compare = superuser.get(
        reverse("admin:articles_article_history_compare", args=[article.pk]), {"old": old.pk, "new": new.pk}
    )
    [change] = [c for c in compare.context["changes"] if c.label == "Byline"]
    assert "Lin (Photographs by)" in re.sub(r"<[^>]+>", "", change.old)
    assert "Lin (Video by)" in re.sub(r"<[^>]+>", "", change.new)

    restore = reverse("admin:articles_article_history_restore", args=[article.pk, old.pk])
    superuser.post(restore, {"opened_version": Article.objects.get(pk=article.pk).edit_version})
    assert list(article.bylines.values_list("author__name", "role")) == [("Zhou", ""), ("Lin", "Photographs by")]


# Import and export


def test_import_maps_translators_photographers_and_contributors(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: A\nauthor: Ann\ntranslator: Dai\nphotographers: [Cai, Cao]\n"
        "contributors:\n  - Eve\n  - {name: Fay, role: Video by}\n  - {name: Gus, role: Graphics by}\n---\nBody",
    )
    write(tmp_path, "b.md", "---\ntitle: B\nauthors: [Ann]\ntranslators: [Dai, Du]\nphotographer: Cai\n---\nBody")
    write(
        tmp_path,
        "c.md",
        "---\ntitle: C\nauthors:\n  - {name: Ann, role: reporter}\n  - {name: Hal, role: 摄影}\n---\nBody",
    )
    run_import(tmp_path)

    def entries(title):
        return list(Article.objects.get(title=title).bylines.values_list("author__name", "role"))

    assert entries("A") == [
        ("Ann", ""),
        ("Dai", "Translated by"),
        ("Cai", "Photographs by"),
        ("Cao", "Photographs by"),
        ("Eve", "Contributions by"),
        ("Fay", "Video by"),
        ("Gus", "Graphics by"),  # free text, as the file wrote it
    ]
    assert entries("B") == [("Ann", ""), ("Dai", "Translated by"), ("Du", "Translated by"), ("Cai", "Photographs by")]
    assert entries("C") == [("Ann", "Reporting by"), ("Hal", "Photographs by")]
    for title in ("A", "B"):
        assert not {"translator", "translators", "photographer", "photographers", "contributors"} & set(
            Article.objects.get(title=title).extra
        )


def test_import_keeps_unknown_credit_shapes_in_the_extra_data(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: A\nauthor: Ann\ncontributors: {photos: Cai}\nphotographer: [[Cai, Cao]]\ntranslator:\n---\nB",
    )
    report = tmp_path / "report.json"
    run_import(tmp_path, report=str(report))
    article = Article.objects.get(title="A")
    assert list(article.bylines.values_list("author__name", "role")) == [("Ann", "")]
    [notes] = [f["notes"] for f in json.loads(report.read_text())["files"]]
    assert "contributors: not a name or a list of names; kept in the extra data" in notes
    assert article.extra["contributors"] == {"photos": "Cai"}
    assert article.extra["photographer"] == [["Cai", "Cao"]]
    assert article.extra["translator"] is None


def test_someone_both_author_and_translator_is_on_the_byline_once(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\nauthor: Ann\ntranslator: ann\n---\nB")
    _, err = run_import(tmp_path)
    assert list(Article.objects.get().bylines.values_list("author__name", "role")) == [("Ann", "")]
    assert "warning: translator: 'ann' is already on the byline; kept there once" in err


def test_a_file_with_only_a_translator_still_gets_the_default_author(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ntranslator: Dai\n---\nB")
    run_import(tmp_path, default_author="Newsroom Staff")
    assert list(Article.objects.get().bylines.values_list("author__name", "role")) == [
        ("Newsroom Staff", ""),
        ("Dai", "Translated by"),
    ]


def test_roles_come_back_from_an_export(tmp_path):
    from tests.test_export import round_trip

    ann, cai = AuthorFactory(name="Ann"), AuthorFactory(name="Cai")
    ArticleFactory(title="Roles", authors=[(cai, "Photographs by"), ann, (AuthorFactory(name="Eve"), "Map by")])
    assert round_trip(tmp_path / "export") == []
    assert list(Article.objects.get().bylines.values_list("author__name", "role")) == [
        ("Cai", "Photographs by"),
        ("Ann", ""),
        ("Eve", "Map by"),
    ]
