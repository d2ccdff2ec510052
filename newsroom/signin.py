"""Sign-in throttling (django-axes): whose guesses are counted, and what a locked-out person sees.

Guesses are counted per account *and* address together (AXES_LOCKOUT_PARAMETERS in settings):
a newsroom shares one office address, so locking an address would lock everyone out, and locking
an account wherever the guesses come from would let anyone lock an editor out from outside.
"""

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def _trusted(address: str) -> bool:
    """Whether `address` is a proxy gunicorn takes X-Forwarded-* from (FORWARDED_ALLOW_IPS)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for allowed in settings.FORWARDED_ALLOW_IPS:
        try:
            if ip in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request) -> str:
    """The address a sign-in came from: the peer, unless the peer is a proxy we trust, in which
    case the nearest address in X-Forwarded-For that is not one (each proxy appends the address
    it was reached from, so anything further left is the client's to invent)."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if "*" in settings.FORWARDED_ALLOW_IPS:
        # Every peer is "a proxy", so no hop can be told from a client: trust exactly one, the
        # address the proxy in front of us saw, and nothing the client wrote left of it.
        return forwarded[-1] if forwarded else address
    while forwarded and _trusted(address):
        address = forwarded.pop()
    return address


def locked_out(request, response=None, credentials=None):
    """The admin's page saying why the sign-in was refused, and what to do (AXES_LOCKOUT_CALLABLE)."""
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() / 60 if settings.AXES_COOLOFF_TIME else None
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in locked"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(minutes) if minutes else None,
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE).render()
