"""Corrections and updates (issue 13): editors correct published stories in the admin; readers see
each correction dated on the story, with its "Updated" time; a correction is never written over;
`/corrections/` and its feed list them; JSON-LD, feeds and sitemaps date a story by its
substantive updates only."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction
from tests.factories import ArticleFactory, CategoryFactory
from tests.utils import change_form, run_import, write

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def saved(response):
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def page_of(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html: str) -> dict:
    (data,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(data)


def local(when) -> str:
    """A time as reader pages print it, in the site's time zone."""
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M ") + timezone.localtime(when).tzname()


def updated_line(html: str) -> str | None:
    found = re.search(r'<span class="updated">.*?<time datetime="([^"]+)"', html, re.S)
    return found and found.group(1)


def correct(article, text="The bridge is 40 metres long, not 400.", kind=Correction.Kind.CORRECTION, **kwargs):
    return Correction.objects.create(article=article, kind=kind, text=text, **kwargs)


# --- on the story ------------------------------------------------------------------------------


def test_an_editor_corrects_a_published_story_and_readers_see_it_dated_with_the_updated_time(editor, client, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    story = ArticleFactory(title="Bridge opens", body_source="The new bridge is 400 metres long.")
    assert updated_line(page_of(client, story)) is None
    new = {"kind": "correction", "text": "The bridge is 40 metres long, not 400."}
    saved(editor.post(change_url(story), change_form(story, new_correction=new)))

    correction = Correction.objects.get()
    html = page_of(client, story)
    assert "The bridge is 40 metres long, not 400." in html
    assert (
        f'<strong class="correction-kind">Correction</strong>\n    <time datetime="{correction.published_at.astimezone(timezone.get_current_timezone()).isoformat()}">{local(correction.published_at)}</time>'
        in html
    )
    assert local(correction.published_at).endswith(" CST")  # the site's zone, not UTC
    main = html[html.index("<main") :]  # the JSON-LD in the head carries it too
    assert main.index("The bridge is 40 metres long") > main.index('<div class="article-body">')  # below the body
    story.refresh_from_db()
    assert story.substantively_updated_at == correction.created_at
    assert updated_line(html) == timezone.localtime(correction.created_at).isoformat()
    assert correction.created_by.username == "eda"


def test_an_editors_note_stands_above_the_body_and_a_clarification_below_it(client):
    story = ArticleFactory(body_source="The body.")
    correct(story, "A clarification of the second paragraph.", Correction.Kind.CLARIFICATION)
    correct(story, "This story is part of a series on the harbour.", Correction.Kind.EDITORS_NOTE)
    html = page_of(client, story)
    main = html[html.index("<main") :]
    body = main.index('<div class="article-body">')
    assert main.index("This story is part of a series") < body < main.index("A clarification of the second")
    assert "Editor’s note" in html and "Clarification" in html


def test_amending_a_correction_adds_a_dated_version_and_keeps_the_old_text(editor, client):
    story = ArticleFactory()
    first = correct(story, "The mayor is Lin, not Lim.", published_at=timezone.now() - dt.timedelta(hours=2))
    data = change_form(story, corrections={first: {"text": "The mayor is Lin Wei, not Lim Wei."}})
    saved(editor.post(change_url(story), data))

    first.refresh_from_db()
    newest = Correction.objects.current().get()
    assert first.text == "The mayor is Lin, not Lim." and newest.supersedes == first  # kept in the record
    assert newest.published_at == first.published_at < newest.created_at  # dated as first published, and amended
    html = page_of(client, story)
    assert "The mayor is Lin Wei, not Lim Wei." in html and "Lin, not Lim." not in html
    assert f'class="correction-amended" datetime="{timezone.localtime(newest.created_at).isoformat()}"' in html
    admin_page = editor.get(change_url(story)).content.decode()
    assert "The mayor is Lin, not Lim." in admin_page  # the earlier version, shown to editors with its date


def test_a_correction_cannot_be_deleted_or_written_over(editor, client):
    """Not from the admin, even by a forged post, and not from the shell."""
    story = ArticleFactory()
    correction = correct(story, "The ferry leaves at nine.")
    assert 'name="corrections-0-DELETE"' not in editor.get(change_url(story)).content.decode()
    saved(editor.post(change_url(story), change_form(story, **{"corrections-0-DELETE": "on"})))
    assert list(Correction.objects.values_list("text", flat=True)) == ["The ferry leaves at nine."]
    correction.text = "Nothing happened."
    with pytest.raises(ValueError, match="amend"):
        correction.save()
    with pytest.raises(ValueError, match="amend"):
        correction.delete()
    assert "The ferry leaves at nine." in page_of(client, story)


def test_a_writer_cannot_add_a_correction_even_by_a_forged_post(writer, writer_user):
    own_draft = ArticleFactory(authors=[writer_user.author], status=Article.Status.DRAFT, published_at=None)
    form = writer.get(change_url(own_draft)).content.decode()
    assert 'name="corrections-0-text"' not in form  # no way offered
    new = {"kind": "correction", "text": "Forged by a writer."}
    response = writer.post(change_url(own_draft), change_form(own_draft, new_correction=new))
    assert response.status_code in (302, 403)
    assert not Correction.objects.exists()


def test_a_writer_cannot_change_a_correction_even_by_a_forged_post(writer, writer_user, client):
    story = ArticleFactory(authors=[writer_user.author], status=Article.Status.DRAFT)
    correct(story, "The vote was 7 to 2.")
    form = writer.get(change_url(story)).content.decode()
    assert "The vote was 7 to 2." in form and 'name="corrections-0-text"' not in form  # shown, read-only
    forged = change_form(story, corrections={Correction.objects.get(): {"text": "Rewritten by a writer."}})
    writer.post(change_url(story), forged)
    assert list(Correction.objects.values_list("text", flat=True)) == ["The vote was 7 to 2."]


def test_the_story_page_costs_the_same_queries_with_one_correction_or_five(
    client, django_assert_num_queries, editor_user
):
    from articles import freshness

    one, five = ArticleFactory(category=CategoryFactory()), ArticleFactory(category=CategoryFactory())
    correct(one, created_by=editor_user)
    for n in range(5):
        kind = Correction.Kind.EDITORS_NOTE if n % 2 else Correction.Kind.CORRECTION
        correct(five, f"Correction {n}.", kind, created_by=editor_user)
    correct(five, "Correction 5.").amend("Correction 5, amended.", by=editor_user)
    freshness.next_publication()
    client.get(reverse("articles:home"))  # what every page shares (the navigation) is kept from here on
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(one.get_absolute_url()).status_code == 200
    assert any("articles_correction" in q["sql"] for q in with_one.captured_queries)
    with django_assert_num_queries(len(with_one)):  # the corrections in one query, however many
        assert "Correction 4." in client.get(five.get_absolute_url()).content.decode()
    with django_assert_num_queries(1):  # then kept with the page's fragments: the article alone
        assert client.get(five.get_absolute_url()).status_code == 200


# --- the "Updated" time ------------------------------------------------------------------------


def test_a_minor_edit_changes_neither_the_updated_time_nor_any_date_machines_read(editor, client):
    story = ArticleFactory(body_source="The ferry leaves at nine.")
    published = timezone.localtime(story.published_at).isoformat()

    def dates():
        html = page_of(client, story)
        atom = ET.fromstring(client.get(reverse("articles:feed-atom")).content)
        sitemap = client.get(reverse("sitemap-section", args=["articles"])).content.decode()
        return (
            updated_line(html),
            json_ld(html)["dateModified"],
            atom.find(f"{ATOM}entry/{ATOM}updated").text,
            re.search(r"<lastmod>(.*?)</lastmod>", sitemap).group(1),
        )

    before = dates()
    assert before[:2] == (None, published)
    saved(editor.post(change_url(story), change_form(story, body_source="The ferry leaves at 9.", minor_edit="on")))
    assert "The ferry leaves at 9." in page_of(client, story)
    assert dates() == before

    saved(editor.post(change_url(story), change_form(story, body_source="The ferry leaves at ten.")))
    story.refresh_from_db()
    shown, date_modified, atom_updated, lastmod = dates()
    assert shown == date_modified == timezone.localtime(story.substantively_updated_at).isoformat()
    assert dt.datetime.fromisoformat(atom_updated) == story.substantively_updated_at
    assert lastmod == timezone.localtime(story.substantively_updated_at).date().isoformat()
    assert lastmod != before[3] or story.published_at.date() == story.substantively_updated_at.date()


def test_edits_before_first_publication_and_workflow_steps_are_no_update(editor, client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    saved(editor.post(change_url(draft), change_form(draft, body_source="Rewritten before anyone read it.")))
    editor.post(reverse("admin:articles_article_workflow", args=[draft.pk, "publish"]))
    draft.refresh_from_db()
    assert draft.is_published() and draft.substantively_updated_at is None
    assert updated_line(page_of(client, draft)) is None


def test_an_import_is_no_update_its_updated_key_is(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: Plain\ndate: 2020-01-01\n---\nBody")
    write(tmp_path, "b.md", "---\ntitle: Revised\ndate: 2020-01-01\nupdated: 2020-03-04 05:06\n---\nBody")
    run_import(tmp_path)
    plain, revised = Article.objects.get(title="Plain"), Article.objects.get(title="Revised")
    assert json_ld(page_of(client, plain))["dateModified"] == "2020-01-01T00:00:00+00:00"  # not the import's time
    html = page_of(client, revised)
    assert json_ld(html)["dateModified"] == "2020-03-04T05:06:00+00:00" == updated_line(html)


# --- /corrections/ and its feed ----------------------------------------------------------------


def test_corrections_page_lists_every_correction_of_published_stories_newest_first(client):
    now = timezone.now()
    stories = [ArticleFactory(title=f"Story {n}") for n in range(3)]
    made = [correct(stories[n % 3], f"Fix number {n}.", published_at=now - dt.timedelta(hours=n)) for n in range(21)]
    draft = ArticleFactory(title="Taken down", status=Article.Status.DRAFT)
    correct(draft, "On a story readers cannot see.")

    first = client.get(reverse("articles:corrections")).content.decode()
    found = re.findall(r"Fix number (\d+)\.", first)
    assert found == [str(n) for n in range(20)]  # newest first, twenty a page
    assert f'href="{made[0].get_absolute_url()}"' in first and "Story 0" in first
    assert "On a story readers cannot see." not in first
    second = client.get(reverse("articles:corrections"), {"page": 2}).content.decode()
    assert re.findall(r"Fix number (\d+)\.", second) == ["20"]
    assert client.get(reverse("articles:corrections"), {"page": 3}).status_code == 404


def test_corrections_feed_lists_them_linking_to_the_story(client):
    story = ArticleFactory(title="Bridge opens")
    old = correct(story, "An older fix.", published_at=timezone.now() - dt.timedelta(days=1))
    new = correct(story, "A newer fix.", Correction.Kind.CLARIFICATION)
    correct(ArticleFactory(status=Article.Status.DRAFT), "Not public.")
    response = client.get(reverse("articles:corrections-feed"))
    assert response["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(response.content).findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Clarification: Bridge opens", "Correction: Bridge opens"]
    assert [i.findtext("description") for i in items] == ["<p>A newer fix.</p>", "<p>An older fix.</p>"]
    assert items[0].findtext("link").endswith(new.get_absolute_url()) and f"#correction-{old.pk}" in items[1].findtext(
        "link"
    )
    page = client.get(reverse("articles:corrections")).content.decode()
    assert (
        f'type="application/rss+xml" title="Corrections and clarifications · Newsroom" href="{reverse("articles:corrections-feed")}"'
        in page
    )


def test_a_correction_renews_the_story_the_corrections_page_and_feed_but_not_other_stories(settings, editor, client):
    settings.PAGE_CACHE_SECONDS = 300
    story, other = ArticleFactory(category=CategoryFactory()), ArticleFactory(category=CategoryFactory())
    pages = [story.get_absolute_url(), reverse("articles:corrections"), reverse("articles:corrections-feed")]
    for url in [*pages, other.get_absolute_url()] * 2:
        client.get(url)
    assert all(client.get(url)["X-Page-Cache"] == "hit" for url in [*pages, other.get_absolute_url()])

    saved(editor.post(change_url(story), change_form(story, new_correction={"kind": "correction", "text": "Fixed."})))
    for url in pages:
        response = client.get(url)
        assert response["X-Page-Cache"] != "hit" and "Fixed." in response.content.decode(), url
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "hit"


# --- structured data -----------------------------------------------------------------------------


def test_json_ld_carries_the_corrections_and_names_the_corrections_policy(client, settings):
    settings.CORRECTIONS_POLICY_URL = "/about/corrections/"
    story = ArticleFactory()
    correction = correct(story, "The vote was 7 to 2, not 2 to 7.")
    note = correct(story, "Part of a series.", Correction.Kind.EDITORS_NOTE)
    data = json_ld(page_of(client, story))
    assert data["@type"] == "NewsArticle"
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The vote was 7 to 2, not 2 to 7.",
            "datePublished": timezone.localtime(correction.published_at).isoformat(),
        }
    ]  # an editor's note corrects nothing: not a `correction`
    assert data["publisher"]["correctionsPolicy"] == "http://testserver/about/corrections/"
    assert data["dateModified"] == timezone.localtime(note.created_at).isoformat()  # the latest was an update too

    settings.CORRECTIONS_POLICY_URL = ""
    plain = json_ld(page_of(client, ArticleFactory()))
    assert "correctionsPolicy" not in plain["publisher"] and "correction" not in plain


def test_chinese_interface_text(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    story = ArticleFactory()
    correct(story, "桥长40米，不是400米。")
    correct(story, "本文是系列报道之一。", Correction.Kind.EDITORS_NOTE)
    html = page_of(client, story)
    for text in ("更正", "编者按", "更正与澄清", "更新于"):
        assert text in html, text
    listing = client.get(reverse("articles:corrections")).content.decode()
    assert "<h1>更正与澄清</h1>" in listing and "桥长40米" in listing
