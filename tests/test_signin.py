"""Signing in to the admin: guesses are throttled per account and address, each account, each address,
and a superuser unlocks."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-right-password"
LOGIN = reverse("admin:login")


def staff_with_password(username):
    user = UserFactory(username=username, groups=["Editors"])
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def eda():
    return staff_with_password("eda")


def sign_in(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **headers)


def guess_wrong(client, username, times, **headers):
    for _ in range(times):
        response = sign_in(client, username, "not-it", **headers)
    return response


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_after_the_limit_even_the_right_password_is_refused_with_a_message(eda, settings):
    client = Client()
    assert guess_wrong(client, "eda", settings.AXES_FAILURE_LIMIT - 1).status_code == 200  # the form again
    response = sign_in(client, "eda", "not-it")
    assert response.status_code == 429
    response = sign_in(client, "eda", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(response)
    page = response.content.decode()
    assert "Sign-in is locked after 5 failed attempts for this account from this address." in page
    assert "Try again in 15 minutes, or ask a superuser to unlock it." in page
    assert "Newsroom admin" in page  # the admin's own page, not a bare text


def test_another_account_or_another_address_is_not_locked(eda, settings):
    staff_with_password("wen")
    guess_wrong(Client(), "eda", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="203.0.113.5")
    assert sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert signed_in(sign_in(Client(), "wen", PASSWORD, REMOTE_ADDR="203.0.113.5"))
    assert signed_in(sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="198.51.100.9"))


def test_behind_the_trusted_proxy_the_forwarded_client_is_counted_and_cannot_be_invented(eda, settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/8"]
    through_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    guess_wrong(Client(), "eda", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.5", **through_proxy)
    locked = sign_in(Client(), "eda", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **through_proxy)
    assert locked.status_code == 429
    # Another reader behind the same proxy is someone else...
    assert signed_in(sign_in(Client(), "eda", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9", **through_proxy))
    # ...but a header the locked client writes itself, left of what the proxy appended, changes nothing.
    invented = {"HTTP_X_FORWARDED_FOR": "198.51.100.9, 203.0.113.5", **through_proxy}
    assert sign_in(Client(), "eda", PASSWORD, **invented).status_code == 429
    # Nor does one sent straight to the server by an address that is not the proxy.
    guess_wrong(Client(), "eda", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="192.0.2.1")
    dodge = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.77"}
    assert sign_in(Client(), "eda", PASSWORD, **dodge).status_code == 429


def test_with_every_address_trusted_only_the_address_our_proxy_saw_counts(eda, settings):
    """FORWARDED_ALLOW_IPS=*: a new invented address left of the proxy's entry each guess dodges nothing."""
    settings.FORWARDED_ALLOW_IPS = ["*"]
    for fake in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "eda", "not-it", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"6.6.6.{fake}, 203.0.113.9")
    invented = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.200, 203.0.113.9"}
    assert sign_in(Client(), "eda", PASSWORD, **invented).status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # Another client behind the same proxy is someone else.
    other = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert signed_in(sign_in(Client(), "eda", PASSWORD, **other))


def test_one_address_guessing_at_many_accounts_is_locked_out_of_every_account(eda, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    office = {"REMOTE_ADDR": "203.0.113.5"}
    for name in ["ana", "bo", "cy"]:
        guess_wrong(Client(), name, 2, **office)  # under the limit for each account
    response = sign_in(Client(), "eda", PASSWORD, **office)
    assert response.status_code == 429
    assert not signed_in(response)
    page = response.content.decode()
    assert "Sign-in from this address is locked after 6 failed attempts, for every account." in page
    assert "Try again in 15 minutes, or ask a superuser to unlock it." in page
    # The same account from elsewhere is not.
    assert signed_in(sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="198.51.100.9"))


def test_guesses_at_one_account_from_many_addresses_lock_that_account_everywhere(eda, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    staff_with_password("wen")
    for bot in range(3):
        guess_wrong(Client(), "eda", 2, REMOTE_ADDR=f"192.0.2.{bot}")  # under the limit for each address
    response = sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert not signed_in(response)
    page = response.content.decode()
    assert "Sign-in to this account is locked after 6 failed attempts, from whatever address." in page
    # Another account from the same addresses is not.
    assert signed_in(sign_in(Client(), "wen", PASSWORD, REMOTE_ADDR="192.0.2.0"))


def test_the_guess_that_reaches_a_wide_limit_is_answered_with_the_locked_page(eda, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3
    assert guess_wrong(Client(), "eda", 1, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert guess_wrong(Client(), "eda", 1, REMOTE_ADDR="192.0.2.2").status_code == 200
    assert guess_wrong(Client(), "eda", 1, REMOTE_ADDR="192.0.2.3").status_code == 429


def test_a_superuser_unlocks_an_account_locked_everywhere_in_the_admin(eda, superuser, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 4
    for bot in range(4):
        guess_wrong(Client(), "eda", 1, REMOTE_ADDR=f"192.0.2.{bot}")
    assert sign_in(Client(), "eda", PASSWORD).status_code == 429
    changelist = reverse("admin:axes_accessattempt_changelist")
    attempts = list(AccessAttempt.objects.filter(username="eda").values_list("pk", flat=True))
    response = superuser.post(changelist, {"action": "delete_selected", "_selected_action": attempts, "post": "yes"})
    assert response.status_code == 302
    assert signed_in(sign_in(Client(), "eda", PASSWORD))


def test_the_reset_commands_unlock_an_account_and_an_address(eda, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 4
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for bot in range(4):
        guess_wrong(Client(), "eda", 1, REMOTE_ADDR=f"192.0.2.{bot}")
    assert sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 429
    call_command("axes_reset_username", "eda", stdout=StringIO())
    assert signed_in(sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="198.51.100.9"))

    for name in ["ana", "bo", "cy", "di"]:
        guess_wrong(Client(), name, 1, REMOTE_ADDR="203.0.113.5")
    assert sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    call_command("axes_reset_ip", "203.0.113.5", stdout=StringIO())
    assert signed_in(sign_in(Client(), "eda", PASSWORD, REMOTE_ADDR="203.0.113.5"))


def test_a_superuser_unlocks_an_account_in_the_admin(eda, superuser, settings):
    guess_wrong(Client(), "eda", settings.AXES_FAILURE_LIMIT)
    assert sign_in(Client(), "eda", PASSWORD).status_code == 429
    listing = superuser.get(reverse("admin:axes_accessattempt_changelist"))
    assert "eda" in listing.content.decode()
    attempts = list(AccessAttempt.objects.filter(username="eda").values_list("pk", flat=True))
    response = superuser.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert signed_in(sign_in(Client(), "eda", PASSWORD))


def test_the_reset_command_unlocks_an_account(eda, settings):
    guess_wrong(Client(), "eda", settings.AXES_FAILURE_LIMIT)
    assert sign_in(Client(), "eda", PASSWORD).status_code == 429
    out = StringIO()
    call_command("axes_reset_username", "eda", stdout=out)
    assert "1 attempts removed" in out.getvalue()
    assert signed_in(sign_in(Client(), "eda", PASSWORD))


def test_a_right_password_before_the_limit_clears_the_count(eda, settings):
    client = Client()
    guess_wrong(client, "eda", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in(client, "eda", PASSWORD))
    client.logout()
    guess_wrong(client, "eda", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in(client, "eda", PASSWORD))
