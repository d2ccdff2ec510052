"""Sign-in throttling (django-axes): whose guesses are counted, and what a locked-out person sees.

Failed guesses are counted three ways, each against its own limit within the cool-off: for one
account from one address (LOGIN_FAILURE_LIMIT, the usual case: someone forgot a password), from
one address whichever the account (LOGIN_ADDRESS_FAILURE_LIMIT, high, as a newsroom shares one
office address), and for one account wherever the guesses come from (LOGIN_ACCOUNT_FAILURE_LIMIT:
a botnet gets that many guesses a cool-off, at the price of letting anyone lock an account out).
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import admin
from django.db.models import Q, Sum
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


def reached_limit(request, credentials=None) -> str | None:
    """Which limit this sign-in's account and address are at: "account", "address", "pair" or None.

    Counted from axes' AccessAttempt rows (one per account, address and browser), so axes' admin
    and its axes_reset_* commands unlock all three."""
    username = get_client_username(request, credentials)
    address = request.axes_ip_address
    scopes = {}  # most telling first: a locked account is locked from everywhere
    if username:
        scopes["account"] = (Q(username=username), settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    if address:
        scopes["address"] = (Q(ip_address=address), settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    if username and address:
        scopes["pair"] = (Q(username=username, ip_address=address), settings.AXES_FAILURE_LIMIT)
    if not scopes:
        return None
    attempts = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=address))
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    failures = attempts.aggregate(
        **{scope: Sum("failures_since_start", filter=match) for scope, (match, _limit) in scopes.items()}
    )
    for scope, (_match, limit) in scopes.items():
        if (failures[scope] or 0) >= limit:
            return scope
    return None


class ThrottlingHandler(AxesDatabaseHandler):
    """axes' database handler, locking at the account's and the address's limits as well as the pair's
    (AXES_HANDLER). axes itself counts only AXES_LOCKOUT_PARAMETERS, the pair, so that a right
    password clears only its own pair's count, not every guess made at that account or address."""

    def is_locked(self, request, credentials=None) -> bool:
        return settings.AXES_LOCK_OUT_AT_FAILURE and reached_limit(request, credentials) is not None

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            username = get_client_username(request, credentials)
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)


def locked_out(request, response=None, credentials=None):
    """The admin's page saying why the sign-in was refused, and what to do (AXES_LOCKOUT_CALLABLE)."""
    limit = reached_limit(request, credentials) or "pair"
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() / 60 if settings.AXES_COOLOFF_TIME else None
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in locked"),
        "limit_reached": limit,
        "failure_limit": {
            "account": settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
            "address": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            "pair": settings.AXES_FAILURE_LIMIT,
        }[limit],
        "cooloff_minutes": round(minutes) if minutes else None,
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE).render()
