"""Bodies as readers' tools read them: heading levels under the page's title, code blocks a
keyboard reaches, no broken images (issue 13, "Pages that people and machines read right")."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article
from articles.sanitizing import sanitize_html
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def headings(html: str) -> list[tuple[int, str]]:
    return [(int(level), text) for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html)]


def test_body_headings_sit_under_the_title_and_never_skip_a_level(client):
    source = "### Context\n\nText.\n\n##### Detail\n\n#### Aside\n\n# Big\n\n###### Deep\n\nEnd.[^1]\n\n[^1]: A note."
    story = ArticleFactory(title="Harbour works", body_source=source)
    page = client.get(story.get_absolute_url()).content.decode()
    found = headings(page)
    assert (1, "Harbour works") in found
    title_at = found.index((1, "Harbour works"))
    body = [h for h in found[title_at + 1 :] if h[1] in {"Context", "Detail", "Aside", "Big", "Deep"}]
    assert body == [(2, "Context"), (3, "Detail"), (3, "Aside"), (2, "Big"), (3, "Deep")]
    levels = [2] + [level for level, _ in body]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no level skipped
    assert '<a href="#fn1" id="fnref1">' in page and '<li id="fn1">' in page  # footnote anchors still work


def test_html_bodies_headings_are_normalised_too():
    assert headings(sanitize_html("<h1>A</h1><h4>B</h4><h6>C</h6><h3>D</h3>")) == [
        (2, "A"),
        (3, "B"),
        (4, "C"),
        (3, "D"),
    ]


def test_code_blocks_are_focusable_and_no_other_tabindex_survives(client):
    story = ArticleFactory(
        body_source='```\nvery_long_line = "' + "x" * 300 + '"\n```\n\n<p tabindex="0">p</p><pre tabindex="-1">y</pre>'
    )
    page = client.get(story.get_absolute_url()).content.decode()
    body = page[page.index('<div class="article-body">') :]
    assert body.count('<pre tabindex="0">') == 2
    assert 'tabindex="-1"' not in body and "<p tabindex" not in body


def test_code_blocks_have_a_visible_focus_style():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.article-body pre:focus(?:-visible)?\s*\{[^}]*outline", css)


@pytest.mark.parametrize(
    "img",
    ['<img src="chart.png" alt="Tide chart">', '<img src="./img/chart.png" alt="Tide chart">', '<img alt="Tide chart">',
     '<img src="data:image/png;base64,AAAA" alt="Tide chart">', '<img src="javascript:x" alt="Tide chart">'],
)  # fmt: skip
def test_an_image_readers_could_not_load_is_left_out_its_alt_text_in_its_place(img):
    assert sanitize_html(f"<p>Before {img} after</p>") == "<p>Before Tide chart after</p>"


def test_images_readers_can_load_stay():
    kept = '<img src="https://e.org/a.png" alt="A"><img src="/media/imported/a.png" alt="B">'
    assert sanitize_html(kept) == kept


def test_render_bodies_applies_the_new_rules_to_stored_bodies(client):
    story = ArticleFactory(body_source="### Context\n\n```\ncode\n```\n\n![Tide chart](chart.png)")
    old = '<h3>Context</h3>\n<pre><code>code\n</code></pre>\n<p><img src="chart.png" alt="Tide chart"></p>'
    Article.objects.filter(pk=story.pk).update(body=old)  # as rendered before this release
    out = StringIO()
    call_command("render_bodies", stdout=out)
    assert "1 bodies changed, 0 failed" in out.getvalue()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "<h2>Context</h2>" in page and '<pre tabindex="0">' in page
    assert 'src="chart.png"' not in page and "Tide chart" in page
    assert Article.objects.get(pk=story.pk).body_source.endswith("![Tide chart](chart.png)")  # the source keeps it
