"""The content API against its own OpenAPI description (schemathesis): requests generated from
the schema served at /api/v1/schema/, positive and negative, on a site with drafts, scheduled
and retracted stories beside published ones, never get a 500, every answer matches the schema,
and no answer names a story readers may not see."""

import datetime as dt

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from articles import workflow
from articles.models import Article, Correction
from tests.factories import ArticleFactory, AuthorFactory, Site, UserFactory

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 80  # per operation and mode


@pytest.fixture
def hidden():
    """A site's published stories, and the ids of those readers may not see."""
    site = Site()
    ArticleFactory(title="Photographed", category=site.city, authors=[site.ann, (AuthorFactory(), "photographer")])
    Correction.objects.create(article=site.ferry, text="The ferry leaves at six.")
    draft = ArticleFactory(status=Article.Status.DRAFT, category=site.city, tags=["harbour"])
    scheduled = ArticleFactory(published_at=timezone.now() + dt.timedelta(days=1), category=site.city)
    retracted = ArticleFactory(category=site.sport)
    workflow.retract(retracted, UserFactory(groups=["Editors"]), "retraction", "Not so.")
    return {draft.pk, scheduled.pk, retracted.pk}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in the test's own transaction: as Django's test
    client does, neither the start nor the end of a request closes the test's database connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_schema_and_shows_only_published_stories(wsgi_app, hidden, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    found = operations(schema)
    assert {op.label for op in found} == {
        "GET /api/v1/articles/",
        "GET /api/v1/articles/{id}/",
        "GET /api/v1/sections/",
        "GET /api/v1/authors/",
        "GET /api/v1/tags/",
    }
    answered = []

    for operation in found:

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def conforms(case):
            # Werkzeug's client (the WSGI transport) does not decompress: ask for plain bytes.
            response = case.call(headers={"Accept-Encoding": "identity"})
            case.validate_response(response, checks=CHECKS)
            answered.append(response.status_code)
            if response.status_code == 200 and "/articles/" in case.path:
                body = response.json()
                rows = body.get("results", [body])
                assert not {row.get("id") for row in rows} & hidden

        conforms()
    assert 200 in answered if mode == GenerationMode.POSITIVE else 400 in answered
