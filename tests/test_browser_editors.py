"""The editors' admin as the newsroom uses it, in a real browser: a writer drafts and submits, an
editor schedules, the story goes live when its time comes, history compares and restores, and a
stale save from a second editor is refused."""

import contextlib
import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.utils import make_image, open_page, shot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password"
TITLE = "海港新渡轮首航"
NEW_TITLE = "海港新渡轮首航成功"
Status = Article.Status


def staff(username, group, **fields):
    user = UserFactory(username=username, groups=[group], **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def expect(target):
    return pytest.importorskip("playwright.sync_api").expect(target)


@contextlib.contextmanager
def signed_in(browser, live_server, username):  # noqa: F811
    """A desktop browser of its own, signed in through the login form."""
    with signed_in_page(browser, live_server, username, PASSWORD) as page:
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        yield page


def click_and_wait(page, locator):
    """Click something that loads a new page, and wait until it has."""
    with page.expect_navigation():
        locator.click()


def pick(page, container, term, option):
    """Choose in an admin autocomplete (select2): open it, type, click the option the server found."""
    page.locator(container).locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option).first.click()


def messages(page):
    return page.locator(".messagelist")


@contextlib.contextmanager
def clock_moved(delta):
    """The whole process — the live server's thread too — reads a clock `delta` ahead."""
    real_now = timezone.now
    with mock.patch("django.utils.timezone.now", side_effect=lambda: real_now() + delta):
        yield


def test_writer_drafts_editor_schedules_it_goes_live_history_restores_and_a_stale_save_is_refused(
    browser,  # noqa: F811
    live_server,
    settings,
    tmp_path,
):
    settings.TIME_ZONE = "Asia/Shanghai"  # the site's zone is not UTC: schedule times are read in it
    settings.PAGE_CACHE_SECONDS = 300  # as in production: a scheduled story must get past the page cache
    writer = staff("wen", "Writers")
    own = AuthorFactory(name="温记者", user=writer)
    colleague = AuthorFactory(name="李摄影")
    staff("eda", "Editors", first_name="Eda", last_name="Editor")
    staff("wang", "Editors", first_name="Wang", last_name="Li")

    # 1. The writer drafts the story with a lead image and a two-author byline, then submits it.
    with signed_in(browser, live_server, "wen") as page:
        click_and_wait(page, page.locator("#content-main").get_by_role("link", name="Articles", exact=True))
        click_and_wait(page, page.get_by_role("link", name="Add article"))
        page.fill("#id_title", TITLE)
        page.press("#id_title", "Tab")
        expect(page.locator("#id_slug")).to_have_value(TITLE)
        page.fill("#id_standfirst", "新渡轮今天首航。")
        page.fill("#id_body_source", "新渡轮今天上午从海港出发。\n\n乘客们很高兴。")
        page.set_input_files("#id_lead_image", str(make_image(tmp_path / "ferry.png", size=(640, 400))))
        expect(page.locator(".field-lead_image [data-new-image]")).to_be_visible()
        page.fill("#id_lead_image_alt", "新渡轮停靠在海港码头")  # no publication without it
        # Writers cannot set the state or the time: shown, not editable.
        expect(page.locator("#id_status")).to_have_count(0)
        expect(page.locator("#id_published_at_0")).to_have_count(0)
        # The byline starts with the writer's own Author; a colleague is added through the autocomplete.
        expect(page.locator("#bylines-0 .select2-selection__rendered")).to_contain_text("温记者")
        page.locator("#bylines-group .add-row a").click()
        pick(page, "#bylines-1", "李", "李摄影")
        page.fill("#id_bylines-1-position", "1")
        shot(page, "editors-1-writer-draft")
        click_and_wait(page, page.locator("input[name=_continue]"))
        expect(messages(page)).to_contain_text("was added successfully")

        article = Article.objects.get(title=TITLE)
        assert (article.status, article.published_at, article.created_by) == (Status.DRAFT, None, writer)
        assert article.byline == [own, colleague]
        assert article.lead_image.name.endswith(".png") and article.lead_renditions

        expect(page.locator("#workflow-heading")).to_have_text("Workflow — now: Draft")
        click_and_wait(page, page.get_by_role("button", name="Submit for review"))
        expect(messages(page)).to_contain_text(f"“{TITLE}” was submitted for review.")
        expect(page.locator(".field-status .readonly")).to_have_text("In review")
        shot(page, "editors-1-writer-submitted")

        # 2. The writer cannot publish: no button for it, and a forged request is refused.
        for button in ("Publish now", "Schedule"):
            expect(page.get_by_role("button", name=button)).to_have_count(0)
        token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
        for action, extra in (("publish", {}), ("schedule", {"publish_at": "2030-01-01T08:00"})):
            url = live_server.url + reverse("admin:articles_article_workflow", args=[article.pk, action])
            forged = page.request.post(url, form={"csrfmiddlewaretoken": token, **extra}, max_redirects=0)
            assert forged.status == 403, (action, forged.status)
        article.refresh_from_db()
        assert (article.status, article.published_at) == (Status.REVIEW, None)

    # 3. An editor schedules it five minutes ahead, in the site's time zone.
    with (
        signed_in(browser, live_server, "eda") as editor,
        open_page(browser, "desktop") as reader,
    ):
        click_and_wait(editor, editor.get_by_role("link", name="Articles", exact=True).first)
        click_and_wait(editor, editor.locator("#changelist-filter").get_by_role("link", name="In review"))
        click_and_wait(editor, editor.locator("#result_list").get_by_role("link", name=TITLE))
        expect(editor.locator("#workflow-heading")).to_have_text("Workflow — now: In review")
        expect(editor.locator("label[for=id_publish_at]")).to_contain_text("Asia/Shanghai")
        when = timezone.localtime(timezone.now() + dt.timedelta(minutes=5)).replace(second=0, microsecond=0)
        editor.fill("#id_publish_at", f"{when:%Y-%m-%dT%H:%M}")
        shot(editor, "editors-3-editor-schedules")
        click_and_wait(editor, editor.get_by_role("button", name="Schedule"))
        scheduled = f"{when:%Y-%m-%d %H:%M} CST"
        expect(messages(editor)).to_contain_text(f"“{TITLE}” is scheduled for {scheduled}.")
        expect(editor.locator("#workflow-heading")).to_have_text(f"Workflow — now: Scheduled for {scheduled}")
        article.refresh_from_db()
        assert (article.status, article.published_at) == (Status.PUBLISHED, when)
        assert not article.is_published()

        public_url = live_server.url + article.get_absolute_url()
        assert reader.goto(public_url).status == 404
        reader.console_errors.remove("Failed to load resource: the server responded with a status of 404 (Not Found)")
        home = reader.goto(live_server.url)
        assert home.status == 200 and home.headers["x-page-cache"] == "miss"
        expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)

        with clock_moved(dt.timedelta(minutes=6)):
            # The page cache kept the home page only until the next publication: it is rebuilt. (A
            # reload: the browser itself may keep the page for its max-age of a minute.)
            home = reader.reload()
            assert home.status == 200 and home.headers["x-page-cache"] == "miss"
            expect(reader.get_by_role("link", name=TITLE).first).to_be_visible()
            shot(reader, "editors-3-live-on-home")
            story = reader.goto(public_url)
            assert story.status == 200
            expect(reader.locator("h1")).to_have_text(TITLE)
            expect(reader.locator(".article-body")).to_contain_text("乘客们很高兴。")
            assert reader.console_errors == []

            # 4. The editor edits it, compares two revisions in the history and restores the first.
            editor.reload()
            expect(editor.locator("#workflow-heading")).to_have_text("Workflow — now: Published")
            editor.fill("#id_title", NEW_TITLE)
            editor.fill("#id_standfirst", "新渡轮今天首航，一切顺利。")
            click_and_wait(editor, editor.locator("input[name=_continue]"))
            expect(messages(editor)).to_contain_text("was changed successfully")
            click_and_wait(editor, editor.locator("a.historylink"))
            rows = editor.locator("#revisions tbody tr")
            expect(rows).to_have_count(2)  # the writer's draft, the editor's change
            rows.nth(1).locator("input[name=old]").check()
            rows.nth(0).locator("input[name=new]").check()
            click_and_wait(editor, editor.get_by_role("button", name="Compare selected revisions"))
            changes = editor.locator("#changes tbody tr")
            labels = changes.locator("th").all_inner_texts()
            assert {"Title", "Standfirst"} <= set(labels), labels
            title_row = changes.filter(has=editor.locator("th", has_text="Title"))
            expect(title_row.locator("td.old")).to_have_text(TITLE)
            expect(title_row.locator("td.new ins")).to_have_text("成功")
            shot(editor, "editors-4-compare")

            click_and_wait(editor, editor.locator(".breadcrumbs").get_by_role("link", name="History"))
            click_and_wait(editor, rows.nth(1).get_by_role("link", name="Restore…"))
            # The writer's revision was a draft: restoring brings its words back, not its state.
            expect(editor.locator("#changes tbody th")).to_have_text(["Title", "Standfirst"])
            shot(editor, "editors-4-restore-confirm")
            click_and_wait(editor, editor.get_by_role("button", name="Restore this revision"))
            expect(messages(editor)).to_contain_text("The article is back as it was at")
            expect(editor.locator("#id_title")).to_have_value(TITLE)
            expect(editor.locator("#workflow-heading")).to_have_text("Workflow — now: Published")
            click_and_wait(editor, editor.locator("a.historylink"))
            expect(rows).to_have_count(3)
            expect(rows.nth(0).locator("td").nth(3)).to_contain_text("Restored revision from")
            expect(rows.nth(0)).to_contain_text("eda")
            article.refresh_from_db()
            assert (article.title, article.status, article.published_at) == (TITLE, Status.PUBLISHED, when)
            assert reader.goto(public_url).status == 200  # still live, at the same address
            expect(reader.locator("h1")).to_have_text(TITLE)
            assert reader.console_errors == []

            # 5. A second editor's stale save is refused and the first editor's change is kept.
            change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
            with signed_in(browser, live_server, "wang") as second:
                editor.goto(change_url)
                second.goto(change_url)
                editor.fill("#id_standfirst", "第一位编辑的导语。")
                click_and_wait(editor, editor.locator("input[name=_continue]"))
                expect(messages(editor)).to_contain_text("was changed successfully")
                second.fill("#id_title", "第二位编辑的标题")
                click_and_wait(second, second.locator("input[name=_continue]"))
                refusal = second.locator(".errorlist.nonfield")
                expect(refusal).to_contain_text("Eda Editor changed this article at")
                expect(refusal).to_contain_text("your changes were not saved")
                shot(second, "editors-5-stale-save-refused")
                click_and_wait(second, refusal.get_by_role("link", name="compare"))
                expect(second.locator("#changes tbody th")).to_have_text(["Standfirst"])
                article.refresh_from_db()
                assert (article.title, article.standfirst) == (TITLE, "第一位编辑的导语。")


def test_an_editor_credits_a_photographer_from_the_suggested_roles_and_readers_see_it(
    browser,  # noqa: F811
    live_server,
):
    staff("eda", "Editors")
    zhou = AuthorFactory(name="Zhou")
    AuthorFactory(name="Lin")
    article = ArticleFactory(title="Typhoon nears the coast", authors=[zhou])
    with signed_in(browser, live_server, "eda") as page:
        page.goto(f"{page.live_url}/admin/articles/article/{article.pk}/change/")
        page.locator("#bylines-group .add-row a").click()  # a row the admin's script adds
        row = page.locator("#bylines-group tr.form-row.dynamic-bylines").last
        row_id = row.get_attribute("id")
        pick(page, f"#{row_id}", "Lin", "Lin")
        role = row.locator("input[name$='-role']")
        # The known roles are offered in added rows too (one datalist the rows share).
        suggested = role.evaluate("el => el.list ? [...el.list.options].map(o => o.value) : []")
        assert {"Photographs by", "Translated by", "Reporting by"} <= set(suggested)
        role.fill("Photographs by")
        row.locator("input[name$='-position']").fill("1")
        shot(page, "editors-byline-role")
        click_and_wait(page, page.locator("input[name=_continue]"))
        expect(messages(page)).to_contain_text("was changed successfully")
        assert list(article.bylines.values_list("author__name", "role")) == [("Zhou", ""), ("Lin", "Photographs by")]

        page.goto(live_server.url + article.get_absolute_url())
        expect(page.locator(".article-meta .byline")).to_have_text("By Zhou; photographs by Lin")
