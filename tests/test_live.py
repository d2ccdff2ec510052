"""Live coverage (issue 14): a live story's entries as readers see them, its older updates, the
cacheable endpoint open pages poll, its JSON-LD, and who may post what in the admin."""

import datetime as dt
import json
import re

import extruct
import pytest
from django.urls import reverse
from django.utils import timezone

from articles import freshness
from articles.models import Article, LiveEntry
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_story():
    return ArticleFactory(title="Election night", coverage_start=timezone.now() - dt.timedelta(hours=3))


def post(story, text, minutes_ago=0, **fields):
    return LiveEntry.objects.create(
        article=story, body_source=text, posted_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **fields
    )


def entry_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="live-entry[^"]*" id="entry-(\d+)"', html)]


def page(client, story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def updates_url(story):
    return story.get_absolute_url() + "updates.json"


def test_entries_are_newest_first_with_pinned_on_top_permalinks_and_key_events(client, live_story):
    """The pinned entry leads, then newest first; each has its #entry-<id> link and its time in
    the site's zone; key events are marked for readers."""
    old = post(live_story, "Polls open.", minutes_ago=120, pinned=True)
    middle = post(live_story, "Turnout is **high**.", minutes_ago=60, key_event=True)
    new = post(live_story, "First results.", minutes_ago=5, author=AuthorFactory(name="Ana Reporter"))
    html = page(client, live_story)
    assert entry_ids(html) == [old.pk, new.pk, middle.pk]
    assert f'href="#entry-{new.pk}"' in html and "Ana Reporter" in html
    assert "<strong>high</strong>" in html
    assert html.count("Key event") == 1 and "Pinned" in html
    local = timezone.localtime(new.posted_at)
    assert local.strftime("%Y-%m-%d %H:%M") in html
    assert 'src="/static/js/live-updates.js"' in html and "data-live-polling" in html


def test_entry_text_is_sanitised_like_bodies(client, live_story):
    """No script reaches a reader through an entry."""
    post(live_story, 'Fine <script>alert(1)</script><a href="javascript:alert(2)">x</a> <img src=x onerror=alert(3)>')
    block = page(client, live_story).split('class="live__entries"')[1].split('class="live__older"')[0]
    block = block.split('<script src="/static/js/live-updates.js"')[0]  # the page's own script
    assert "<script" not in block and "javascript:" not in block and "onerror" not in block
    assert "Fine" in block


def test_an_entry_too_long_is_refused_with_a_message(editor, live_story):
    """Bounded input: the form names the field and the limit; nothing is written."""
    from articles.models import ENTRY_LENGTH

    response = editor.post(
        reverse("admin:articles_liveentry_add"), {"article": live_story.pk, "body_source": "x" * (ENTRY_LENGTH + 1)}
    )
    assert response.status_code == 200 and not LiveEntry.objects.exists()
    assert "Ensure this value has at most 20000 characters" in response.content.decode()


def test_writers_drafts_are_not_shown_until_an_editor_approves(client, live_story, writer, editor):
    """A writer's entry waits; approved, it shows on top (its time is the approval's)."""
    post(live_story, "Older entry.", minutes_ago=30)
    response = writer.post(
        reverse("admin:articles_liveentry_add"),
        {"article": live_story.pk, "body_source": "Writer's scoop.", "status": "published", "pinned": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = LiveEntry.objects.get(body_source="Writer's scoop.")
    assert draft.status == LiveEntry.Status.DRAFT and not draft.pinned  # the forged fields did nothing
    assert "Writer&#x27;s scoop." not in page(client, live_story) and "scoop" not in page(client, live_story)
    response = editor.post(
        reverse("admin:articles_liveentry_changelist"), {"action": "approve_selected", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    assert entry_ids(page(client, live_story))[0] == draft.pk


def test_forged_requests_from_writers_are_refused(client, live_story, writer, editor_user):
    """A writer cannot approve, pin, edit an editor's entry, delete, or end coverage, whatever
    they POST."""
    published = post(live_story, "Editor's entry.", created_by=editor_user)
    changelist = reverse("admin:articles_liveentry_changelist")
    for action in ("approve_selected", "pin_selected"):
        writer.post(changelist, {"action": action, "_selected_action": [published.pk]})
    change = reverse("admin:articles_liveentry_change", args=[published.pk])
    assert writer.post(change, {"body_source": "Defaced.", "article": live_story.pk}).status_code == 403
    delete = reverse("admin:articles_liveentry_delete", args=[published.pk])
    assert writer.post(delete, {"post": "yes"}).status_code == 403
    writer.post(
        reverse("admin:articles_article_changelist"),
        {"action": "end_live_coverage", "_selected_action": [live_story.pk]},
    )
    published.refresh_from_db()
    live_story.refresh_from_db()
    assert published.body_source == "Editor's entry." and not published.pinned
    assert live_story.is_live
    html = page(client, live_story)
    assert entry_ids(html) == [published.pk]


def test_entries_only_go_on_stories_covered_live(editor):
    """The admin refuses an entry on a story that is not live (or no longer)."""
    story = ArticleFactory()
    response = editor.post(reverse("admin:articles_liveentry_add"), {"article": story.pk, "body_source": "Nope."})
    assert response.status_code == 200 and not LiveEntry.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_editors_start_and_end_coverage_which_freezes_the_page(client, editor):
    """Started, the page shows the live block; ended, it says so and stops polling."""
    story = ArticleFactory()
    assert "live-updates.js" not in page(client, story)
    changelist = reverse("admin:articles_article_changelist")
    editor.post(changelist, {"action": "start_live_coverage", "_selected_action": [story.pk]})
    post(story, "Under way.")
    html = page(client, story)
    assert "data-live-polling" in html and "live-updates.js" in html
    editor.post(changelist, {"action": "end_live_coverage", "_selected_action": [story.pk]})
    html = page(client, story)
    assert "Coverage ended" in html and "data-live-polling" not in html and "live-updates.js" not in html
    assert "Under way." in html
    data = client.get(updates_url(story), {"after": LiveEntry.objects.get().pk}).json()
    assert data["ended"] is True


def test_older_updates_are_paged_by_keyset(client, live_story):
    """20 entries on the page, then "Older updates" pages of 20, by the last one shown."""
    entries = [post(live_story, f"Update {n}.", minutes_ago=100 - n) for n in range(45)]
    newest_first = [e.pk for e in reversed(entries)]
    html = page(client, live_story)
    assert entry_ids(html) == newest_first[:20]
    older = re.search(r'<a href="([^"]+)" rel="next">Older updates', html).group(1)
    assert older == f"{live_story.get_absolute_url()}updates/?before={newest_first[19]}"
    second = client.get(older).content.decode()
    assert entry_ids(second) == newest_first[20:40]
    third = client.get(re.search(r'<a href="([^"]+)" rel="next">Older updates', second).group(1)).content.decode()
    assert entry_ids(third) == newest_first[40:] and "Older updates</a>" not in third
    assert client.get(f"{live_story.get_absolute_url()}updates/", {"before": 999999}).status_code == 404


@pytest.mark.parametrize("count", [10, 1000])
def test_a_live_page_costs_the_same_queries_with_1000_entries_as_with_10(
    client, django_assert_num_queries, live_story, count
):
    """Keyset: the page reads the pinned entries and the first page, never a count or an offset."""
    now = timezone.now()
    LiveEntry.objects.bulk_create(
        LiveEntry(article=live_story, body_source=f"n{n}", body=f"<p>n{n}</p>", posted_at=now - dt.timedelta(seconds=n))
        for n in range(count)
    )
    freshness.next_publication()
    # an article page's (test_views: article, bylines, corrections, navigation, banner, tags,
    # neighbours, related; no related found here, so no fetch of them) and its entries' two reads
    with django_assert_num_queries(11) as captured:
        html = page(client, live_story)
    assert len(entry_ids(html)) == min(count, 20)
    sql = " ".join(q["sql"].upper() for q in captured.captured_queries)
    assert "OFFSET" not in sql and "COUNT(" not in sql
    with django_assert_num_queries(3):  # kept fragments: the article, and its entries
        page(client, live_story)


def test_updates_endpoint_lists_new_entries_with_etag_304_and_cache_headers(client, live_story, settings):
    """The endpoint answers with entries newer than `after`; unchanged, a 304 for the same
    ETag; and it may be kept by the browser, the page cache and the edge."""
    settings.PAGE_CACHE_SECONDS = 300
    first = post(live_story, "First.", minutes_ago=10)
    response = client.get(updates_url(live_story), {"after": first.pk})
    assert response.status_code == 200 and response.json() == {"ended": False, "newest": first.pk, "entries": []}
    etag = response["ETag"]
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage" in control
    assert client.get(updates_url(live_story), {"after": first.pk}, headers={"if-none-match": etag}).status_code == 304
    assert client.get(updates_url(live_story), {"after": first.pk})["X-Page-Cache"] == "hit"
    second = post(live_story, "Second: the *count* starts.")
    response = client.get(updates_url(live_story), {"after": first.pk}, headers={"if-none-match": etag})
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"  # stale at once
    data = response.json()
    assert [e["id"] for e in data["entries"]] == [second.pk] and data["newest"] == second.pk
    assert f'id="entry-{second.pk}"' in data["entries"][0]["html"] and "<em>count</em>" in data["entries"][0]["html"]


def test_updates_endpoint_is_for_published_live_stories_only(client, live_story):
    assert client.get(updates_url(ArticleFactory())).status_code == 404
    draft = ArticleFactory(status=Article.Status.DRAFT, coverage_start=timezone.now())
    assert client.get(updates_url(draft)).status_code == 404
    assert client.get(updates_url(live_story), {"after": "junk"}).json()["entries"] == []


def test_an_edited_or_deleted_entry_renews_the_kept_page(client, live_story, settings):
    settings.PAGE_CACHE_SECONDS = 300
    entry = post(live_story, "Typo in teh entry.")
    assert "teh" in page(client, live_story)
    entry.body_source = "Fixed the entry."
    entry.save()
    assert "Fixed the entry." in page(client, live_story)
    entry.delete()
    assert "Fixed the entry." not in page(client, live_story)


def json_ld(client, story) -> dict:
    html = page(client, story)
    found = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    assert len(found) == 1
    return found[0]


def test_json_ld_is_a_live_blog_posting_with_its_updates_and_coverage_times(client, live_story, settings):
    settings.PAGE_CACHE_SECONDS = 300
    entries = [post(live_story, f"Update {n} <b>bold</b>.", minutes_ago=50 - n) for n in range(25)]
    data = json_ld(client, live_story)
    assert data["@type"] == "LiveBlogPosting" and data["headline"] == "Election night"
    assert data["coverageStartTime"] == timezone.localtime(live_story.coverage_start).isoformat()
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert len(updates) == 20 and updates[0]["articleBody"] == "Update 24 bold."
    assert updates[0]["url"] == f"http://testserver{live_story.get_absolute_url()}#entry-{entries[-1].pk}"
    post(live_story, "The newest.")
    assert json_ld(client, live_story)["liveBlogUpdate"][0]["articleBody"] == "The newest."  # the head renewed
    Article.objects.filter(pk=live_story.pk).update(coverage_end=timezone.now())
    from articles.after_write import after_write

    after_write([live_story.pk], before=None, text_changed=False)
    assert "coverageEndTime" in json_ld(client, live_story)


def test_a_story_that_is_not_live_keeps_its_news_article_json_ld(client):
    story = ArticleFactory()
    assert json.loads(json.dumps(json_ld(client, story)))["@type"] == "NewsArticle"


def test_a_published_entry_announces_article_updated_to_webhooks(live_story, django_capture_on_commit_callbacks):
    """An entry on a live story is an update of it (`article.updated`), as a correction is."""
    from articles.api.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(url="https://example.com/hook", events=["article.updated"], secret="s" * 32)
    with django_capture_on_commit_callbacks(execute=True):
        post(live_story, "News.")
    assert WebhookDelivery.objects.filter(event="article.updated").count() == 1


def test_the_live_block_and_the_admin_speak_chinese(client, live_story, editor, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    post(live_story, "第一条。", pinned=True, key_event=True)
    html = page(client, live_story)
    assert "实时更新" in html and "置顶" in html and "关键事件" in html and 'data-one="1 条新动态"' in html
    admin_page = editor.get(reverse("admin:articles_liveentry_add")).content.decode()
    assert "引语" in admin_page and "草稿（等待编辑审核）" in admin_page
    changelist = editor.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "结束所选文章的直播" in changelist


def test_an_editor_pins_an_entry_which_then_leads_the_page(client, live_story, editor):
    older = post(live_story, "Background.", minutes_ago=60)
    newer = post(live_story, "Latest.", minutes_ago=1)
    assert entry_ids(page(client, live_story)) == [newer.pk, older.pk]
    editor.post(
        reverse("admin:articles_liveentry_changelist"), {"action": "pin_selected", "_selected_action": [older.pk]}
    )
    assert entry_ids(page(client, live_story)) == [older.pk, newer.pk]


def test_a_staff_preview_of_a_live_draft_shows_entries_and_does_not_poll(editor):
    """The endpoint is for readers (published stories): a preview would poll a 404."""
    story = ArticleFactory(status=Article.Status.DRAFT, coverage_start=timezone.now())
    post(story, "Prepared entry.")
    html = editor.get(story.get_absolute_url()).content.decode()
    assert "Prepared entry." in html and "data-live-polling" not in html and "live-updates.js" not in html


def test_a_page_left_open_long_gets_its_missed_entries_over_successive_polls(client, live_story, monkeypatch):
    """At most `NEW_ENTRIES_AT_MOST` an answer, the oldest missed first: none is skipped."""
    from articles.public import live

    monkeypatch.setattr(live, "NEW_ENTRIES_AT_MOST", 3)
    seen = post(live_story, "Seen.", minutes_ago=60)
    missed = [post(live_story, f"Missed {n}.", minutes_ago=50 - n) for n in range(5)]
    first = client.get(updates_url(live_story), {"after": seen.pk}).json()
    assert [e["id"] for e in first["entries"]] == [e.pk for e in reversed(missed[:3])]
    second = client.get(updates_url(live_story), {"after": first["newest"]}).json()
    assert [e["id"] for e in second["entries"]] == [e.pk for e in reversed(missed[3:])]


def test_an_entry_shows_its_image_with_its_description_and_its_quote(client, live_story):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "PNG")
    entry = LiveEntry(
        article=live_story,
        body_source="At the count.",
        image_alt="Counters at long tables",
        quote="Every vote <b>counts</b>.",
        quote_source="The returning officer",
    )
    entry.image.save("count.png", ContentFile(picture.getvalue()), save=False)
    entry.save()
    html = page(client, live_story)
    assert re.search(r'<img src="[^"]+count[^"]*\.png" alt="Counters at long tables" loading="lazy">', html)
    assert "Every vote &lt;b&gt;counts&lt;/b&gt;." in html and "— The returning officer" in html
