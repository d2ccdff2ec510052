"""What browsers are told to refuse (Content-Security-Policy), the shipped editor's sanitiser,
and the development defaults production must not inherit."""

import re
import sqlite3
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from articles.admin.widgets import BodyEditor
from tests.factories import ArticleFactory, Site
from tests.utils import PRODUCTION, manage, settings_in_a_process

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def policy(response, header="Content-Security-Policy") -> dict[str, list[str]]:
    assert header in response, f"{response.request['PATH_INFO']} has no {header} header"
    directives = (part.split() for part in response[header].split(";") if part.strip())
    return {name: values for name, *values in directives}


def assert_scripts_only_from_this_origin(directives):
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]  # as X-Frame-Options: DENY says


@pytest.fixture
def reader_pages():
    site = Site()
    article = site.ferry
    return {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "list": reverse("articles:list"),
        "section": site.city.get_absolute_url(),
        "tag": site.harbour.get_absolute_url(),
        "author": site.ann.get_absolute_url(),
        "search": reverse("articles:search") + "?q=ferry",
        "year": reverse("articles:archive-year", kwargs={"year": article.published_at.year}),
        "feed": reverse("articles:feed"),
        "sitemap": reverse("sitemap"),
        "robots": reverse("robots"),
        "not found": "/no-such-page/",
    }


def test_every_reader_page_forbids_inline_and_foreign_scripts_and_inline_styles(client, reader_pages):
    for name, url in reader_pages.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), name
        directives = policy(response)
        assert_scripts_only_from_this_origin(directives)
        assert directives["style-src"] == ["'self'"], name  # no inline styles on reader pages
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name


def test_a_page_from_the_page_cache_carries_the_policy(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    url = ArticleFactory().get_absolute_url()
    client.get(url)
    hit = client.get(url)
    assert_scripts_only_from_this_origin(policy(hit))


def test_admin_pages_allow_inline_styles_but_scripts_only_from_this_origin(admin_client):
    article = ArticleFactory()
    for url in (
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_add"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert_scripts_only_from_this_origin(directives)
        # Django's admin and Trix put styles inline; the editor's icons are data: images and a
        # chosen lead image is previewed from a blob: address.
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
        assert {"data:", "blob:"} <= set(directives["img-src"])


def test_the_sign_in_page_carries_the_policy(client):
    assert_scripts_only_from_this_origin(policy(client.get(reverse("admin:login"))))


def policy_under(**env) -> dict:
    """The policy settings.py builds from this environment."""
    values = (
        "{'enforced': getattr(s, 'CONTENT_SECURITY_POLICY', None),"
        " 'report_only': getattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None)}"
    )
    return settings_in_a_process(values, env, without=("S3_", "MEDIA_", "CSP_"))


@pytest.mark.parametrize(
    "env, media_origin",
    [
        ({}, None),
        ({"MEDIA_URL": "http://media.example:8080/m/"}, "http://media.example:8080"),
        ({"S3_BUCKET": "news", "S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "http://127.0.0.1:9000"),
        (
            {"S3_BUCKET": "news", "S3_ENDPOINT_URL": "http://minio:9000", "S3_ADDRESSING_STYLE": "virtual"},
            "http://news.minio:9000",
        ),
        ({"S3_BUCKET": "news", "S3_PUBLIC_DOMAIN": "media.example.com"}, "https://media.example.com"),
    ],
)
def test_images_may_come_from_the_media_host(env, media_origin):
    images = policy_under(**env)["enforced"]["DIRECTIVES"]["img-src"]
    # Imported stories keep remote images: any HTTPS host, plus this origin and the media host.
    assert images == ["'self'", "https:", *([media_origin] if media_origin else [])]


def test_report_only_mode_reports_without_blocking():
    configured = policy_under(CSP_REPORT_ONLY="1", CSP_REPORT_URI="https://reports.example/csp")
    assert configured["enforced"] is None
    directives = configured["report_only"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"] and directives["report-uri"] == ["https://reports.example/csp"]


def test_the_shipped_editor_carries_a_dompurify_without_the_public_advisories():
    """Trix sanitises pasted HTML with the DOMPurify inside its bundle; 3.4.11 fixed published
    bypasses, and the bundle as shipped (the script the admin's body editor loads) is newer."""
    (bundle,) = [name for name in BodyEditor().media._js if "trix" in name]
    script = Path(finders.find(bundle)).read_text(encoding="utf-8")
    licensed = re.findall(r"@license DOMPurify (\d+)\.(\d+)\.(\d+)", script)
    declared = re.findall(r'\.version="(\d+)\.(\d+)\.(\d+)"', script)
    assert len(licensed) == 1 and declared == licensed  # one DOMPurify, the one its licence names
    assert tuple(map(int, licensed[0])) >= (3, 4, 11)


def test_production_refuses_a_development_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": "django-insecure-local-development-only"})
    assert result.returncode != 0
    assert "SECRET_KEY is a development key" in result.stderr


def test_make_runs_admin_account_never_signs_in_to_a_production_site(tmp_path):
    """load_sample_content makes admin/admin only with DEBUG on; a database it was run on
    refuses to migrate with DEBUG off until that account has a real password."""
    database = tmp_path / "site.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PAGE_CACHE_STAMP": str(tmp_path / "stamp"),
        "CACHE_URL": "locmemcache://",
        "JOBS_MODE": "eager",
    }
    production = {**env, **PRODUCTION}
    assert manage("migrate", "--noinput", **production).returncode == 0

    refused = manage("load_sample_content", **production)
    assert refused.returncode == 1 and "Refusing to create the admin/admin account" in refused.stderr
    assert accounts(database) == []
    assert manage("load_sample_content", "--no-admin", **production).returncode == 0
    assert accounts(database) == []

    local = manage("load_sample_content", **env, DEBUG="1")  # as `make run` does
    assert "Sign in to the admin at /admin/ as admin / admin" in local.stdout, local.stderr
    assert accounts(database) == ["admin"]

    for command in (["migrate", "--noinput"], ["check", "--deploy", "--database", "default"]):
        blocked = manage(*command, **production)
        assert blocked.returncode != 0, command
        assert "newsroom.E001" in blocked.stderr and "development password 'admin'" in blocked.stderr

    changed = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; u = User.objects.get(username='admin');"
        " u.set_password('a-long-real-passphrase'); u.save()",
        **production,
    )
    assert changed.returncode == 0, changed.stderr
    assert manage("migrate", "--noinput", **production).returncode == 0


def accounts(database) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [name for (name,) in connection.execute("SELECT username FROM auth_user ORDER BY username")]
