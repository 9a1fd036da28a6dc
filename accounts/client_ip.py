"""The client's IP address for the sign-in lockout (django-axes ``AXES_CLIENT_IP_CALLABLE``).

With ``TRUSTED_PROXY_COUNT`` = N > 0 the portal runs behind N reverse proxies, each appending the address it
saw to ``X-Forwarded-For``: the client is the N-th entry from the right (entries further left were sent by the
client and are not trusted). django-ipware reads the header; a request without a usable header (one that did
not pass the proxies) falls back to ``REMOTE_ADDR``. N = 0: ``REMOTE_ADDR`` only.
"""

from django.conf import settings
from ipware.ip import get_client_ip


def client_ip(request) -> str | None:
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        # ipware counts the proxies *listed* in the header; the nearest proxy is REMOTE_ADDR, not listed.
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=trusted - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR")
