"""The integrators' room: a read-only content API (`/api/v1/`, Django REST framework, its OpenAPI
description by drf-spectacular) and webhooks that tell registered endpoints when stories are
published, updated, unpublished or retracted. Both show only what readers may see
(`Article.objects.published()`)."""
