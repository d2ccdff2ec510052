"""What a reader's browser makes of a story's body (issue 13): a code block that scrolls is
reached by the keyboard and shows where the focus is, the heading outline has no gap, the page
speaks the story's language, and it came gzipped."""

import pytest

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "### 背景\n\n气候变化是全人类面临的共同挑战，各国代表将在会议上发表讲话。\n\n"
    "```\nconst timetable = ['" + "06:00', '".join(str(n) for n in range(80)) + "'];\n```\n\n"
    "##### 细节\n\n![潮汐图](missing-chart.png)\n"
)


def test_a_keyboard_reaches_a_scrolling_code_block_and_sees_its_focus(page, live_server):
    story = ArticleFactory(
        title="渡轮时刻表", body_source=BODY, body_format=Article.BodyFormat.MARKDOWN, language="zh-hans"
    )
    response = page.goto(live_server.url + story.get_absolute_url())
    assert response.headers.get("content-encoding") == "gzip"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    code = page.locator(".article-body pre")
    assert code.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll sideways
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "PRE":
            break
    else:
        pytest.fail("Tab never reached the code block")
    assert code.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    # The keyboard scrolls it (Chromium animates a keyboard scroll: wait for it, a few seconds at most).
    page.wait_for_function("e => e.scrollLeft > 0", arg=code.element_handle(), timeout=5000)
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    body = page.evaluate(
        "[...document.querySelectorAll('.article-body :is(h1,h2,h3,h4,h5,h6)')].map(h => +h.tagName[1])"
    )
    assert body == [2, 3] and levels[0] == 1
    assert page.locator(".article-body img").count() == 0 and "潮汐图" in page.locator(".article-body").inner_text()
    assert page.console_errors == []
