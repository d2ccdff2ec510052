"""The editors' room: the Django admin. Importing the package registers the model admins
(`admin.autodiscover` imports `articles.admin`)."""

from . import registrations, webhooks  # noqa: F401 - registers the admins
