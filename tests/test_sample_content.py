from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, Author, Category

pytestmark = pytest.mark.django_db

SEED_TITLE = "中国特使解振华：中美合作是唯一正确选择"


def load(**options):
    out = StringIO()
    call_command("load_sample_content", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def snapshot():
    return (
        Article.objects.count(),
        Author.objects.count(),
        Category.objects.count(),
        sorted(Article.objects.values_list("slug", flat=True)),
    )


def test_sample_content_loads_once_however_often_it_runs(settings):
    settings.DEBUG = True
    out = load()
    first = snapshot()
    assert "Sign in to the admin at /admin/ as admin / admin" in out
    load()
    assert snapshot() == first
    assert get_user_model().objects.filter(username="admin", is_superuser=True).count() == 1


def test_sample_content_has_what_the_demo_needs(settings, client):
    settings.DEBUG = True
    load()
    articles = Article.objects.all()
    assert articles.count() == 11
    assert articles.filter(status=Article.Status.DRAFT).count() == 1
    assert articles.scheduled().count() == 1
    assert articles.filter(language="zh-hans").count() >= 4 and articles.filter(language="en").count() >= 4
    assert Author.objects.count() >= 5 and Author.objects.exclude(bio="").count() >= 5
    assert Category.objects.filter(path__regex=r"^[^/]+/[^/]+/[^/]+$").exists()  # three levels deep
    home = client.get(reverse("articles:home")).content.decode()
    assert SEED_TITLE in home
    seed = Article.objects.get(title=SEED_TITLE)
    page = client.get(seed.get_absolute_url()).content.decode()
    assert "观察者网</a>" in page and "2021-11-12" in page and "头条</a>" in page
    credited = Article.objects.filter(bylines__role__gt="").distinct()  # bylines with roles, in both languages
    assert {a.language for a in credited} >= {"en", "zh-hans"} and all(a.is_published() for a in credited)


def test_no_admin_account_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to create the admin/admin account"):
        load()
    assert not get_user_model().objects.exists() and not Article.objects.exists()
    load(no_admin=True)
    assert Article.objects.count() == 11 and not get_user_model().objects.exists()
