"""Markdown footnotes (`[^1]`) render as notes readers can follow and come back from, with only
footnote-shaped ids getting past the sanitiser (issue 12)."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from tests.factories import ArticleFactory
from tests.utils import run_import

pytestmark = pytest.mark.django_db

BODY = (
    "The ferry sails at dawn[^1] and returns at dusk[^dusk], as it did last year[^1].\n\n"
    "[^1]: https://example.com/timetable\n"
    "[^dusk]: Weather permitting.\n\n"
    # Ids of the author's own: `id="main"` would take over the page's anchor; none survive.
    '<p id="main">A</p> <a id="nav" href="#x">B</a> <div id="fn3">C</div> <a id="fnref1x">D</a>\n'
)


def _ids_and_links(html: str) -> tuple[set, set]:
    return set(re.findall(r'id="([^"]+)"', html)), set(re.findall(r'href="#([^"]+)"', html))


def test_a_footnote_reference_links_to_its_note_and_back(client):
    """Each reference links to its note and each note back; only footnotes' own ids are kept."""
    article = ArticleFactory(body_source=BODY)
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index("The ferry sails") :]
    assert "[^1]" not in body and "[^dusk]" not in body
    ids, links = _ids_and_links(body)
    assert ids == {"fn1", "fn2", "fnref1", "fnref1:1", "fnref2"}
    assert {"fn1", "fn2", "fnref1", "fnref1:1", "fnref2"} <= links  # every reference and every way back
    note = re.search(r'<li id="fn1">(.*?)</li>', body, re.DOTALL).group(1)
    assert 'href="https://example.com/timetable"' in note  # a note that reads as a link definition is kept
    assert "Weather permitting." in re.search(r'<li id="fn2">(.*?)</li>', body, re.DOTALL).group(1)


def test_a_corpus_file_with_footnotes_renders_them(corpus):
    path = corpus / "zola-toml" / "content" / "what-do-people-love-about-rust.md"
    run_import(path)
    body = Article.objects.get().body
    assert "[^gleam]" not in body and "[^messitup]" not in body and "[^sleep]:" not in body
    ids, links = _ids_and_links(body)
    assert {"fn1", "fn2", "fn3", "fnref1", "fnref2", "fnref3"} <= ids & links
    assert "Gleam came awfully close" in re.search(r'<li id="fn1">(.*?)</li>', body, re.DOTALL).group(1)


def test_render_bodies_brings_stored_bodies_up_to_the_current_renderer(client, settings):
    """Bodies stored before footnotes rendered show them after `render_bodies`, on a page that
    was kept in the page cache, and in search; bodies already current are not written."""
    settings.PAGE_CACHE_SECONDS = 300
    stale = ArticleFactory(title="Ferry timetable", body_source=BODY)
    current = ArticleFactory(title="Harbour works", body_source="Plain words.")
    Article.objects.filter(pk=stale.pk).update(body="<p>The ferry sails at dawn[^1].</p>")  # as rendered before
    assert "[^1]" in client.get(stale.get_absolute_url()).content.decode()  # now kept with the old body
    kept = client.get(current.get_absolute_url())

    out = StringIO()
    call_command("render_bodies", stdout=out)

    assert "1 bodies changed, 0 failed" in out.getvalue()
    page = client.get(stale.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and '<li id="fn1">' in page.content.decode()
    assert client.get(current.get_absolute_url())["X-Page-Cache"] == "hit"
    assert client.get(current.get_absolute_url()).content == kept.content
    assert "Ferry timetable" in client.get("/search/", {"q": "permitting"}).content.decode()
    again = StringIO()
    call_command("render_bodies", stdout=again)
    assert "0 bodies changed" in again.getvalue()


def test_render_bodies_leaves_a_body_over_the_time_budget_as_it_was(settings):
    """One body too slow to render (3 MB: seconds) is reported and left alone; the others are rendered."""
    settings.IMPORT_FILE_SECONDS = 0.3
    slow, quick = ArticleFactory(title="Slow"), ArticleFactory(title="Quick", body_source=BODY)
    paragraph = "Harbourside's new ferry *sails* at dawn, with [a timetable](https://example.com/t). " * 4
    Article.objects.filter(pk=slow.pk).update(body_source="\n\n".join([paragraph] * 9_000), body="<p>Old.</p>")
    Article.objects.filter(pk=quick.pk).update(body="<p>The ferry sails at dawn[^1].</p>")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 bodies changed, 1 failed"):
        call_command("render_bodies", stdout=out, stderr=err)
    assert (
        f"article {slow.pk}: took more than 0.3 s to render (IMPORT_FILE_SECONDS): left as it was"
        in err.getvalue().splitlines()
    )
    assert Article.objects.get(pk=slow.pk).body == "<p>Old.</p>"
    assert '<li id="fn1">' in Article.objects.get(pk=quick.pk).body


def test_past_the_bound_a_footnote_reference_stays_as_written():
    """A body's first 500 references are footnotes; the rest show as typed (their notes left
    out), so 10,000 of them cost what ordinary text does."""
    refs = "".join(f"[^{i}]" for i in range(1, 502))
    notes = "\n".join(f"[^{i}]: Note {i}." for i in range(1, 502))
    body = ArticleFactory(body_source=f"{refs}\n\n{notes}").body
    assert '<li id="fn500">' in body and "Note 500." in body
    assert "[^501]" in body and "Note 501." not in body
