"""The client's address behind trusted proxies: one answer for lockout, rate limit and audit."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.core.clients import client_address_of
from openrecovery.helpline.models import Inquiry
from openrecovery.settings.base import trusted_proxies
from tests.support.auth import sign_in
from tests.support.factories import make_staff
from tests.support.helpline import callback_data

PROXY = "10.0.0.5"


def meta(forwarded: str = "", remote: str = PROXY) -> dict[str, str]:
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return headers


@pytest.mark.parametrize(
    ("headers", "trusted", "client"),
    [
        (meta("198.51.100.7"), 0, PROXY),  # no proxy trusted: the header is ignored
        (meta("198.51.100.7"), 1, "198.51.100.7"),
        (meta("6.6.6.6, 198.51.100.7"), 1, "198.51.100.7"),  # a spoofed first hop
        (meta("198.51.100.7, 10.0.0.9"), 2, "198.51.100.7"),
        (meta(""), 1, PROXY),  # reached the app without the proxy
        (meta("not-an-address"), 1, PROXY),
        (meta("6.6.6.6, 198.51.100.7"), ("10.0.0.0/8",), "198.51.100.7"),
        (meta("198.51.100.7, 10.1.2.3"), ("10.0.0.0/8",), "198.51.100.7"),
        (meta("198.51.100.7", remote="203.0.113.9"), ("10.0.0.0/8",), "203.0.113.9"),
        (meta("2001:db8::1", remote="::1"), ("::1",), "2001:db8::1"),
        (meta("garbage, 10.1.1.1"), ("10.0.0.0/8",), "10.1.1.1"),
    ],
)
def test_the_client_is_the_first_untrusted_hop(headers, trusted, client):
    assert client_address_of(headers, trusted) == client


def test_the_setting_reads_a_count_or_networks():
    assert trusted_proxies("") == 0
    assert trusted_proxies("2") == 2
    assert trusted_proxies(" 10.0.0.0/8, 192.0.2.7 ") == ("10.0.0.0/8", "192.0.2.7")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        trusted_proxies("proxy.example.org")


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_proxy_one_clients_failures_lock_out_only_that_client(db):
    nurse = make_staff("nurse", "nurse-behind-proxy")
    for n in range(5):
        Client(HTTP_X_FORWARDED_FOR="198.51.100.66").post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "wrong guess"},
            REMOTE_ADDR=PROXY,
        )
    attacker = Client(HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert sign_in(attacker, nurse.username, ip=PROXY).status_code == 429
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert sign_in(colleague, nurse.username, ip=PROXY).status_code == 302
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert set(failed.values_list("source_ip", flat=True)) == {"198.51.100.66"}


@override_settings(TRUSTED_PROXIES=("10.0.0.0/8",), HELPLINE_RATE_LIMIT="2/h")
def test_behind_a_proxy_the_callback_rate_limit_counts_each_client(db):
    first = Client(HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR=PROXY)
    for _ in range(2):
        assert first.post("/help/callback/", callback_data(), REMOTE_ADDR=PROXY).status_code == 302
    assert first.post("/help/callback/", callback_data(), REMOTE_ADDR=PROXY).status_code == 429
    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.post("/help/callback/", callback_data(), REMOTE_ADDR=PROXY).status_code == 302
    assert Inquiry.objects.count() == 3
