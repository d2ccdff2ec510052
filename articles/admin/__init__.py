"""The editors' room: the Django admin. Importing the package registers the model admins
(`admin.autodiscover` imports `articles.admin`)."""

from . import registrations, front_page, webhooks, live  # noqa: F401, I001 - registers the admins (history first)
