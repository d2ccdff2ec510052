"""The edited front page (issue 14): editors arrange the home page in the admin (a lead, top
stories, section rails); empty slots fall back to the latest stories; a story that stops being
published leaves its slot; an arrangement can be scheduled and goes live on time; every change
is kept in history and can be restored; writers cannot arrange it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, FrontPage
from newsroom.models import Job
from tests.factories import ArticleFactory, CategoryFactory, FrontPageFactory, UserFactory
from tests.utils import front_page_form

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_frontpage_add")
HOME = reverse("articles:home")


@pytest.fixture
def stories():
    """Six stories an hour apart, the newest first; one in a second section."""
    now = timezone.now()
    news, sport = CategoryFactory(name="News"), CategoryFactory(name="Sport")
    made = [
        ArticleFactory(title=f"Story {n}", category=news, published_at=now - dt.timedelta(hours=n + 1))
        for n in range(5)
    ]
    made.append(ArticleFactory(title="Story 5", category=sport, published_at=now - dt.timedelta(hours=6)))
    return made


def order(html, stories) -> list[str]:
    """The titles of `stories` in the order the page shows them (each where it first appears)."""
    found = {s.title: html.index(f">{s.title}<") for s in stories if f">{s.title}<" in html}
    return sorted(found, key=found.get)


def lead_of(html) -> str:
    return re.search(r'<section class="lead".*?</section>', html, re.S).group(0)


def top_of(html) -> str:
    return re.search(r'<section aria-labelledby="latest-heading">.*?</section>', html, re.S).group(0)


def arrange(editor, **slots):
    response = editor.post(ADD, front_page_form(**slots))
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    return FrontPage.objects.order_by("-pk").first()


def test_the_home_page_shows_the_editors_arrangement_in_their_order(client, editor, stories):
    s = stories
    arrange(editor, lead=s[3], top=[s[4], s[1]], rails=[(s[5].category, s[2]), (s[5].category, s[5])])
    html = client.get(HOME).content.decode()
    assert order(html, [s[3]]) == ["Story 3"] and "Story 3" in lead_of(html)
    top = top_of(html)
    assert "Top stories" in top
    # The editor's two first, then the latest not placed elsewhere, newest first.
    assert order(top, s) == ["Story 4", "Story 1", "Story 0"]
    sport_rail = html[html.index(">Sport</a></h2>") :]
    assert order(sport_rail, [s[2], s[5]]) == ["Story 2", "Story 5"]  # a rail takes any story an editor puts there


def test_empty_slots_fall_back_to_the_latest_stories(client, editor, stories):
    s = stories
    before = client.get(HOME).content.decode()
    assert "Story 0" in lead_of(before)  # no arrangement: the newest leads
    arrange(editor, top=[s[4]])
    html = client.get(HOME).content.decode()
    assert "Story 0" in lead_of(html)  # no lead chosen: the newest still
    assert order(top_of(html), s) == ["Story 4", "Story 1", "Story 2", "Story 3", "Story 5"]
    s[2].featured = True
    s[2].save()
    assert "Story 2" in lead_of(client.get(HOME).content.decode())  # the featured story, as before


def test_a_story_unpublished_or_retracted_leaves_its_slot_by_itself(client, editor, stories, settings):
    settings.PAGE_CACHE_SECONDS = 300  # kept pages too
    s = stories
    arrange(editor, lead=s[3], top=[s[4]])
    assert "Story 3" in lead_of(client.get(HOME).content.decode())
    client.get(HOME)
    s[3].status = Article.Status.DRAFT
    s[3].save()
    page = client.get(HOME)
    html = page.content.decode()
    assert page["X-Page-Cache"] == "miss" and "Story 3" not in html and "Story 0" in lead_of(html)
    workflow.retract(Article.objects.get(pk=s[4].pk), UserFactory(groups=["Editors"]), "retraction", "Not so.")
    html = client.get(HOME).content.decode()
    assert "Story 4" not in html and order(top_of(html), s)[0] == "Story 1"
    s[3].status = Article.Status.PUBLISHED  # published again: back in its slot
    s[3].save()
    assert "Story 3" in lead_of(client.get(HOME).content.decode())


def test_a_change_to_a_story_in_a_slot_renews_the_home_page(client, stories, settings):
    settings.PAGE_CACHE_SECONDS = 300
    s = stories
    FrontPageFactory(slots__lead=s[5])
    first = client.get(HOME)
    assert f"a{s[5].pk}" in first["Surrogate-Key"].split() and "home" in first["Surrogate-Key"].split()
    assert client.get(HOME)["X-Page-Cache"] == "hit"
    s[5].title = "Story 5, with a better headline"
    s[5].save()
    page = client.get(HOME)
    assert page["X-Page-Cache"] == "miss" and "Story 5, with a better headline" in lead_of(page.content.decode())


def test_a_scheduled_arrangement_goes_live_on_time(client, editor, stories, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300  # as in production: it must get past the page cache
    settings.EDGE_PURGE, settings.EDGE_PURGE_URLS = "varnish", ["http://127.0.0.1:9/"]
    purged = []
    monkeypatch.setattr("newsroom.edge.purge", lambda names: purged.append(set(names)))
    s = stories
    arrange(editor, lead=s[1])
    assert any("home" in names for names in purged)  # the save's own purge, after commit
    at_six = timezone.now() + dt.timedelta(minutes=5)
    evening = arrange(editor, lead=s[4], name="The 18:00 front page", goes_live_at=at_six)
    assert evening.is_scheduled
    assert "Story 1" in lead_of(client.get(HOME).content.decode())
    assert client.get(HOME)["X-Page-Cache"] == "hit"
    # Its edge purge waits for its time (the edge never asks whether anything came due).
    waiting = Job.objects.get(name="edge.front_page_live", state=Job.State.PENDING)
    assert abs(waiting.run_at - evening.goes_live_at) < dt.timedelta(seconds=1)
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = client.get(HOME)
    assert page["X-Page-Cache"] == "miss" and "Story 4" in lead_of(page.content.decode())
    from newsroom import jobs

    purged.clear()
    assert jobs.run(waiting.pk)
    assert purged and all("home" in names for names in purged)


def test_history_keeps_every_change_and_restores_one(client, editor, stories):
    s = stories
    front_page = arrange(editor, lead=s[2], top=[s[3], s[4]])
    change = reverse("admin:articles_frontpage_change", args=[front_page.pk])
    response = editor.post(change, front_page_form(front_page, lead=s[1], top=[s[5]]))
    assert response.status_code == 302
    assert "Story 1" in lead_of(client.get(HOME).content.decode())
    history = editor.get(reverse("admin:articles_frontpage_history", args=[front_page.pk])).content.decode()
    revisions = re.findall(rf"/admin/articles/frontpage/{front_page.pk}/history/(\d+)/", history)
    assert len(set(revisions)) == 2
    first = min(map(int, revisions))
    restore = reverse("admin:articles_frontpage_revision", args=[front_page.pk, first])
    shown = editor.get(restore)
    assert shown.status_code == 200 and f'value="{s[2].pk}" selected' in shown.content.decode()
    assert "Story 1" in lead_of(client.get(HOME).content.decode())  # looking at it changes nothing
    restored = front_page_form(front_page, lead=s[2], top=[s[3], s[4]])
    # The form as the revision shows it: the slots as they were, under their old ids.
    front_page.refresh_from_db()
    response = editor.post(restore, revision_form(shown, restored))
    assert response.status_code == 302
    html = client.get(HOME).content.decode()
    assert "Story 2" in lead_of(html) and order(top_of(html), s)[:2] == ["Story 3", "Story 4"]
    assert len(set(re.findall(r"/history/(\d+)/", editor.get(history_url(front_page)).content.decode()))) == 3


def history_url(front_page):
    return reverse("admin:articles_frontpage_history", args=[front_page.pk])


def revision_form(response, fallback) -> dict:
    """What the revision page's form posts: every input as the page filled it in."""
    form = response.context["adminform"].form
    data = {"name": form.initial.get("name", ""), **{k: v for k, v in fallback.items() if k.startswith("goes_live")}}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        data |= {f"{prefix}-{key}": value for key, value in management.initial.items()}
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.formset.initial_forms))
        for inline_form in formset.formset.initial_forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if value is not None and name != "DELETE":
                    data[inline_form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_writers_cannot_arrange_the_front_page(client, writer, stories):
    s = stories
    assert writer.get(ADD).status_code == 403
    assert writer.get(reverse("admin:articles_frontpage_changelist")).status_code == 403
    forged = writer.post(ADD, front_page_form(lead=s[4]))
    assert forged.status_code == 403 and not FrontPage.objects.exists()
    existing = FrontPageFactory(slots__lead=s[3])
    change = reverse("admin:articles_frontpage_change", args=[existing.pk])
    assert writer.post(change, front_page_form(existing, lead=s[4])).status_code == 403
    assert "Story 3" in lead_of(client.get(HOME).content.decode())
    assert "frontpage" not in writer.get(reverse("admin:index")).content.decode()


def test_superusers_arrange_it_too_and_the_list_says_which_is_live(client, superuser, stories):
    arrange(superuser, lead=stories[4], name="Morning", goes_live_at=timezone.now() - dt.timedelta(hours=2))
    assert "Story 4" in lead_of(client.get(HOME).content.decode())
    arrange(superuser, lead=stories[3], name="Evening", goes_live_at=timezone.now() + dt.timedelta(hours=2))
    listing = superuser.get(reverse("admin:articles_frontpage_changelist")).content.decode()
    rows = {
        name: row for row in re.findall(r"<tr.*?</tr>", listing, re.S) for name in ("Morning", "Evening") if name in row
    }
    assert "Live" in rows["Morning"] and "Scheduled" in rows["Evening"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_home_pages_query_count_does_not_grow_with_the_arrangement(
    client, django_assert_num_queries, stories, count
):
    from articles import freshness

    section = stories[0].category
    more = [ArticleFactory(category=section) for _ in range(count)]
    FrontPageFactory(slots__lead=more[0], slots__top=more[1:], slots__rails=[(section, m) for m in more[:3]])
    freshness.next_publication()  # read once per schedule change, by whichever page comes first
    # window, sections, the arrangement's slots; cards: articles, bylines; the site header (kept
    # for every page after): the navigation's sections, the banner
    with django_assert_num_queries(7):
        assert client.get(HOME).status_code == 200
    # the slots and the cards are kept: window, sections, as without an arrangement
    with django_assert_num_queries(2):
        assert client.get(HOME).status_code == 200


def test_the_front_page_speaks_chinese_when_the_site_does(client, editor, stories, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    arrange(editor, top=[stories[3]])
    assert "要闻" in top_of(client.get(HOME).content.decode())
    form = editor.get(ADD).content.decode()
    for text in ("要闻，按顺序", "头条（留空", "上移", "下移", "已移到第 %(position)s 位", "生效时间"):
        assert text in form, text


def test_a_rail_slot_without_its_section_is_refused_with_the_reason(editor, stories):
    form = front_page_form(rails=[(None, stories[2])])
    response = editor.post(ADD, form)
    assert response.status_code == 200 and not FrontPage.objects.exists()
    assert "Choose the section whose rail shows this story." in response.content.decode()
    subsection = CategoryFactory(name="Harbour", parent=stories[0].category)
    response = editor.post(ADD, front_page_form(rails=[(subsection, stories[2])]))
    assert "Rails are for top sections only." in response.content.decode() and not FrontPage.objects.exists()


def test_restoring_a_revision_whose_story_was_deleted_since_leaves_that_slot_out(client, editor, stories):
    s = stories
    front_page = arrange(editor, lead=s[2], top=[s[3]])
    editor.post(
        reverse("admin:articles_frontpage_change", args=[front_page.pk]), front_page_form(front_page, lead=s[1])
    )
    s[2].delete()
    history = editor.get(history_url(front_page)).content.decode()
    first = min(map(int, re.findall(rf"/frontpage/{front_page.pk}/history/(\d+)/", history)))
    restore = reverse("admin:articles_frontpage_revision", args=[front_page.pk, first])
    shown = editor.get(restore)
    assert "Stories in that revision were deleted since; their slots are left out." in shown.content.decode()
    assert editor.post(restore, revision_form(shown, front_page_form(front_page))).status_code == 302
    html = client.get(HOME).content.decode()
    assert order(top_of(html), s)[0] == "Story 3" and "Story 0" in lead_of(html)  # the lead falls back
