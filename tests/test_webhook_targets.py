"""The SSRF rule judges every webhook address by what a connection to it really reaches (the
IPv4 address embedded by IPv4-mapped, IPv4-compatible, 6to4, Teredo and NAT64 addresses;
site-local and local-use NAT64 as private), when the URL is saved and again on the address the
delivery really connected to. WEBHOOK_ALLOWED_PRIVATE_NETWORKS allows the embedded address it
names, never a metadata address."""

import socket
import threading
from types import SimpleNamespace

import pytest
from django.urls import reverse

from pipeline.webhooks import transport
from pipeline.webhooks.checks import webhook_settings_check
from pipeline.webhooks.models import WebhookEndpoint
from pipeline.webhooks.targets import TargetRefused, url_check

ALLOWED = None  # expected outcome: the URL may be called

# (URL, WEBHOOK_ALLOWED_PRIVATE_NETWORKS, None if allowed else a word the refusal must say)
TABLE = [
    # 6to4 (2002::/16): the IPv4 address is the next 32 bits.
    ("http://[2002:7f00:1::]/", [], "loopback"),
    ("http://[2002:a9fe:a9fe::]/", [], "metadata"),
    ("http://[2002:a01:203::]/", [], "private"),
    ("http://[2002:5db8:d70e::]/", [], ALLOWED),
    # Teredo (2001::/32): the client is the inverted last 32 bits.
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", [], "loopback"),
    ("http://[2001:0:4136:e378:8000:63bf:5601:5601]/", [], "metadata"),
    ("http://[2001:0:4136:e378:8000:63bf:f5fe:fdfc]/", [], "private"),
    ("http://[2001:0:4136:e378:8000:63bf:a247:28f1]/", [], ALLOWED),
    # NAT64 (64:ff9b::/96): the last 32 bits; DNS64's answer for a public host stays allowed.
    ("http://[64:ff9b::7f00:1]/", [], "loopback"),
    ("http://[64:ff9b::a9fe:a9fe]/", [], "metadata"),
    ("http://[64:ff9b::a01:203]/", [], "private"),
    ("http://[64:ff9b::5db8:d70e]/", [], ALLOWED),
    # Local-use NAT64 (64:ff9b:1::/48): a local translator's, private unless allowed.
    ("http://[64:ff9b:1::5db8:d70e]/", [], "local-use NAT64"),
    ("http://[64:ff9b:1::5db8:d70e]/", ["64:ff9b:1::/48"], ALLOWED),
    ("http://[64:ff9b:1::a9fe:a9fe]/", ["64:ff9b:1::/48"], "metadata"),
    ("http://[64:ff9b:1:a9fe:a9:fe00::]/", ["64:ff9b:1::/48"], "metadata"),  # the /48 layout
    # IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96).
    ("http://[::ffff:7f00:1]/", [], "loopback"),
    ("http://[::ffff:a9fe:a9fe]/", [], "metadata"),
    ("http://[::ffff:a01:203]/", [], "private"),
    ("http://[::ffff:5db8:d70e]/", [], ALLOWED),
    ("http://[::7f00:1]/", [], "loopback"),
    ("http://[::a9fe:a9fe]/", [], "metadata"),
    ("http://[::1]/", [], "loopback"),
    ("http://[::]/", [], "unspecified"),
    # Site-local (fec0::/10, deprecated) and the rest of the rule, unchanged.
    ("http://[fec0::1]/", [], "site-local"),
    ("http://[fec0::1]/", ["fec0::/10"], ALLOWED),
    ("http://[fe80::1]/", [], "link-local"),
    ("http://[fd00:ec2::254]/", [], "metadata"),
    ("http://127.0.0.1/", [], "loopback"),
    ("http://169.254.169.254/", [], "metadata"),
    ("http://10.1.2.3/", [], "private"),
    ("http://93.184.215.14/", [], ALLOWED),
    ("http://[2606:2800:220:1::]/", [], ALLOWED),
    # An allowed private network allows the embedded address it names, never metadata.
    ("http://[2002:a01:203::]/", ["10.0.0.0/8"], ALLOWED),
    ("http://[2001:0:4136:e378:8000:63bf:f5fe:fdfc]/", ["10.0.0.0/8"], ALLOWED),
    ("http://[64:ff9b::a01:203]/", ["10.0.0.0/8"], ALLOWED),
    ("http://[::ffff:a01:203]/", ["10.0.0.0/8"], ALLOWED),
    ("http://[2002:7f00:1::]/", ["10.0.0.0/8"], "loopback"),
    ("http://[2002:7f00:1::]/", ["127.0.0.0/8"], ALLOWED),
    ("http://[2002:a9fe:1::]/", ["169.254.0.0/16"], ALLOWED),
    ("http://[2002:a9fe:a9fe::]/", ["169.254.0.0/16"], "metadata"),
    ("http://[64:ff9b::a9fe:a9fe]/", ["169.254.0.0/16"], "metadata"),
    ("http://[2002:7f00:1::]/", ["2002::/16"], "loopback"),  # the IPv6 range allows nothing
]
IDS = [f"{url} allow={','.join(allowed) or '-'}" for url, allowed, _ in TABLE]


def literal(url: str) -> str:
    return url.split("//", 1)[1].split("/", 1)[0].strip("[]")


@pytest.mark.parametrize(("url", "allowed", "refusal"), TABLE, ids=IDS)
def test_a_url_is_judged_by_what_it_reaches_when_saved(settings, url, allowed, refusal):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = allowed

    if refusal is ALLOWED:
        assert [str(address) for address in url_check(url)] == [literal(url)]
    else:
        with pytest.raises(TargetRefused, match=refusal):
            url_check(url)


@pytest.mark.parametrize(("url", "allowed", "refusal"), TABLE, ids=IDS)
def test_the_connected_peer_is_judged_by_what_it_reaches(settings, url, allowed, refusal):
    """What the transport checks once connected (a socket's peer address; the addresses here
    cannot be connected to from this machine, hence a socket that only reports its peer)."""
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = allowed
    connected = SimpleNamespace(getpeername=lambda: (literal(url), 80, 0, 0))

    if refusal is ALLOWED:
        transport.peer_check(connected)
    else:
        with pytest.raises(TargetRefused, match=refusal):
            transport.peer_check(connected)


@pytest.fixture
def dual_stack_listener():
    """A real HTTP listener on [::] that also accepts IPv4 as IPv4-mapped peers."""
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.bind(("::", 0))
    server.listen()
    received = []

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                received.append(connection.recv(65536))
                connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield SimpleNamespace(port=server.getsockname()[1], received=received)
    server.close()


def send(url: str):
    return transport.post(url, body=b"{}", headers={}, timeout=5, excerpt_bytes=10)


def test_a_real_delivery_to_a_mapped_loopback_address_is_refused_once_connected(
    settings, dual_stack_listener
):
    url = f"http://[::ffff:127.0.0.1]:{dual_stack_listener.port}/hook"
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    assert send(url).status_code == 204  # the listener is really there

    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["::ffff:0:0/96"]  # names no IPv4 network
    answer = send(url)

    assert answer.status_code is None
    assert "Refused" in answer.error and "127.0.0.1" in answer.error
    # Connected, judged, closed: not one byte of the second request was sent.
    assert [request for request in dual_stack_listener.received if request] == [
        dual_stack_listener.received[0]
    ]


@pytest.mark.django_db
def test_the_admin_form_refuses_a_6to4_loopback_url(client, superuser, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    client.force_login(superuser)

    response = client.post(
        reverse("webhookendpoint:add"),
        {
            "url": "http://[2002:7f00:1::]/hook",
            "description": "6to4 loopback",
            "active": "on",
            "max_in_flight": "4",
        },
    )

    assert response.status_code == 200
    assert "127.0.0.1 (6to4)" in " ".join(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_allowing_a_translation_range_or_a_metadata_network_is_a_warning(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["2002::/16", "169.254.0.0/16", "::1/128"]

    assert [message.id for message in webhook_settings_check()] == [
        "webhooks.W003",
        "webhooks.W004",
    ]
