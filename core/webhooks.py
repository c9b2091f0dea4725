"""Group-robot webhook addresses that can only reach a robot on the internet.

A webhook URL is typed by a town's administrator and then fetched by the worker, inside the
county's network: without these checks it could reach the worker's own Redis or PostgreSQL on
loopback, an office's intranet, or a cloud's metadata service (169.254.169.254, Alibaba Cloud's
100.100.100.200). So a webhook is https (http only with WEBHOOK_ALLOW_HTTP), its host must resolve
to public addresses only (WEBHOOK_ALLOW_PRIVATE_ADDRESSES lifts this, for a robot gateway on the
intranet or a test's local peer), and the sender checks the address it actually connected to
(a name that resolves differently the second time gains nothing) and follows no redirect.
"""

import http.client
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _allowed_schemes() -> set[str]:
    return {"https", "http"} if getattr(settings, "WEBHOOK_ALLOW_HTTP", False) else {"https"}


def _private_allowed() -> bool:
    return getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)


def address_refused(address: str) -> bool:
    """True for an address a webhook may not reach: loopback, private, link-local (the metadata
    services), shared (carrier-grade NAT, Alibaba's metadata), multicast, reserved, unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if _private_allowed():
        return ip.is_multicast or ip.is_unspecified
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (an address literal is itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_webhook_url(url: str) -> None:
    """A ValidationError with the reason unless the URL may be a group robot's webhook."""
    parts = urlsplit(url)
    if parts.scheme not in _allowed_schemes():
        raise ValidationError(_("The webhook address must start with https://."),
                              code="webhook_scheme")
    host = parts.hostname
    if not host:
        raise ValidationError(_("The webhook address has no host name."), code="webhook_host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError, ValueError):
        raise ValidationError(_("The host %(host)s of the webhook address cannot be found."),
                              params={"host": host}, code="webhook_dns") from None
    refused = [a for a in addresses if address_refused(a)]
    if refused or not addresses:
        raise ValidationError(
            _("The webhook address leads to %(address)s, an internal address: only a group "
              "robot on the internet can be used."), params={"address": ", ".join(refused)},
            code="webhook_internal")


def validate_webhook_url(value: str) -> None:
    """The model field's validator (full_clean, the admin, every form)."""
    if value:
        check_webhook_url(value)


class RefusedAddress(OSError):
    """The connection reached an address a webhook may not reach."""


def _check_peer(sock) -> None:
    peer = sock.getpeername()[0]
    if address_refused(peer):
        sock.close()
        raise RefusedAddress(f"connected to {peer}, an internal address")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


def post_json(url: str, data: bytes, timeout: float) -> tuple[int, bytes]:
    """POST data to a checked webhook URL; (status, first 64 KB of the body). No redirect is
    followed (a 3xx is returned as it is); ValidationError for a URL that is refused now."""
    check_webhook_url(url)
    parts = urlsplit(url)
    connection_class = _CheckedHTTPSConnection if parts.scheme == "https" else _CheckedHTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=data,
                           headers={"Content-Type": "application/json; charset=utf-8"})
        response = connection.getresponse()
        return response.status, response.read(65536)
    finally:
        connection.close()
