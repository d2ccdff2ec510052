"""What the site refuses: the Content-Security-Policy of every response (the policy itself is
in settings), and `make run`'s development account outside development."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse

# `make run` signs in with this (load_sample_content makes it, only while DEBUG is on); with DEBUG
# off, `migrate` refuses to run while an account still accepts it (newsroom.E001, checks.py).
DEVELOPMENT_ADMIN = ("admin", "admin")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with CONTENT_SECURITY_POLICY_ADMIN added on the admin's pages:
    Django's admin and the body editor need inline styles, which reader pages never get."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if parts.update is None and request.path.startswith(reverse("admin:index")):
            parts.update = settings.CONTENT_SECURITY_POLICY_ADMIN
        return parts
