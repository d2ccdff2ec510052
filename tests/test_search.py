import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import freshness, search
from articles.models import Article
from articles.public.paging import SearchResultsPaginator
from tests.factories import ArticleFactory, AuthorFactory
from tests.utils import run_import

pytestmark = pytest.mark.django_db
SEED = Path(__file__).resolve().parents[1] / "articles" / "sample_content" / "000_6a04a1efea1f1887.txt"


def found(client, q, **params):
    response = client.get(reverse("articles:search"), {"q": q, **params})
    assert response.status_code == 200
    return response, [a.title for a in response.context["articles"]]


def test_tokens_split_chinese_into_bigrams_and_keep_words():
    assert sorted(search.tokens("气候变化 Climate-talks 2021年 snake_case 中")) == sorted(
        ["气候", "候变", "变化", "化", "climate", "talks", "2021", "年", "snake", "case", "中"]
    )


def test_one_chinese_character_is_found_at_the_end_of_a_phrase_too(client):
    ArticleFactory(title="今天是好天气")
    assert found(client, "气")[1] == ["今天是好天气"]
    assert found(client, "今")[1] == ["今天是好天气"]


def test_unspaced_scripts_do_not_break_indexing(client):
    ArticleFactory(title="Thai", body_source="ภาษาไทย" * 400)  # one 2,800-character "word"
    assert found(client, "ภาษาไทย")[1] == ["Thai"]


def test_chinese_word_finds_the_seed_article(client):
    run_import(SEED)
    for query in ("气候", "解振华", "格拉斯哥 联合宣言", "中美合作"):
        assert found(client, query)[1] == ["中国特使解振华：中美合作是唯一正确选择"], query
    assert found(client, "气候 足球")[1] == []  # every word must match


def test_english_words_match_as_prefixes_in_title_standfirst_and_body(client):
    ArticleFactory(title="Trams return", standfirst="", body_source="Nothing else.")
    ArticleFactory(title="Budget", standfirst="The tram budget grows.", body_source="x")
    ArticleFactory(title="Ferries", body_source="Ferry and TRAM timetables merge.")
    ArticleFactory(title="Unrelated", body_source="Buses only.")
    assert sorted(found(client, "tram")[1]) == ["Budget", "Ferries", "Trams return"]
    assert found(client, "ferry timetables")[1] == ["Ferries"]


def test_only_published_articles_are_found(client):
    ArticleFactory(title="Visible climate story")
    ArticleFactory(title="Draft climate story", status=Article.Status.DRAFT)
    ArticleFactory(title="Scheduled climate story", published_at=timezone.now() + dt.timedelta(hours=1))
    assert found(client, "climate")[1] == ["Visible climate story"]


def test_results_highlight_the_match(client):
    ArticleFactory(title="气候大会开幕", standfirst="各国代表讨论<气候>变化。")
    response, _ = found(client, "气候")
    html = response.content.decode()
    assert "<mark>气候</mark>大会开幕" in html
    assert "各国代表讨论&lt;<mark>气候</mark>&gt;变化。" in html
    assert "1 story matches “气候”." in html


def test_empty_and_no_result_states(client):
    ArticleFactory(title="Something")
    response, titles = found(client, "")
    assert titles == [] and "Type a word or two" in response.content.decode()
    response, titles = found(client, "zebra")
    assert titles == [] and "No stories match “zebra”." in response.content.decode()
    response, titles = found(client, "!!! ???")
    assert titles == []


def test_results_are_paginated_and_keep_the_query(client):
    now = timezone.now()
    for n in range(23):
        ArticleFactory(title=f"Harbour story {n}", published_at=now - dt.timedelta(hours=n))
    response, titles = found(client, "harbour")
    assert len(titles) == 20 and titles[0] == "Harbour story 0"
    assert 'href="?q=harbour&amp;page=2"' in response.content.decode()
    _, titles = found(client, "harbour", page=2)
    assert titles == ["Harbour story 20", "Harbour story 21", "Harbour story 22"]


def test_edits_and_deletions_update_the_index(client):
    article = ArticleFactory(title="Old headline")
    article.title = "New headline"
    article.save()
    assert found(client, "old")[1] == []
    assert found(client, "new")[1] == ["New headline"]
    Article.objects.filter(pk=article.pk).delete()
    assert found(client, "new")[1] == []


@pytest.mark.parametrize("count", [3, 30])
def test_search_query_count_is_constant(client, django_assert_num_queries, count):
    for _ in range(count):
        ArticleFactory(title="Climate report", authors=[AuthorFactory()])
    freshness.next_publication()
    with django_assert_num_queries(6):  # matching ids, the page's rows; byline lines: rows, bylines; navigation, banner
        client.get(reverse("articles:search"), {"q": "climate"})
    with django_assert_num_queries(1):  # the page's rows: the rest is now cached
        client.get(reverse("articles:search"), {"q": "climate"})


def test_snippet_comes_from_the_body_when_the_words_are_there(client):
    ArticleFactory(
        title="Council meeting",
        standfirst="What the council decided.",
        body_source="Long text. " * 30 + "The new tram depot opens in May.",
    )
    response, _ = found(client, "depot")
    html = response.content.decode()
    assert "new tram <mark>depot</mark> opens in May" in html
    assert "…" in html  # cut around the match


def test_a_very_broad_search_shows_the_newest_and_asks_for_more_words(client, monkeypatch):
    monkeypatch.setattr(SearchResultsPaginator, "cap", 3)
    now = timezone.now()
    stories = [ArticleFactory(title=f"Ferry {n}", published_at=now - dt.timedelta(hours=n)) for n in range(5)]
    first = client.get(reverse("articles:search"), {"q": "ferry"}).content.decode()
    assert "More than 3 stories match “ferry”" in first
    second = client.get(reverse("articles:search"), {"q": "ferry", "page": 2}).content.decode()
    shown = [s.title for s in stories if f">{s.title}<" in first + second or s.get_absolute_url() in first + second]
    assert shown == ["Ferry 0", "Ferry 1", "Ferry 2"]
    assert client.get(reverse("articles:search"), {"q": "ferry", "page": 3}).status_code == 404
