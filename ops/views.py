"""``/healthz`` (the process answers), ``/readyz`` (it can serve: ``ops.health``) and ``/metrics`` (Prometheus).

No sign-in: the probes answer anyone (nothing secret in them); ``/metrics`` answers a Bearer ``METRICS_TOKEN`` or
a client address inside ``METRICS_ALLOWED_NETWORKS`` (default: loopback only) and anyone else a 404, so its
existence is not advertised.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from accounts.client_ip import client_ip

from .collectors import DomainCollector
from .health import readiness


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    ready, checks = readiness()
    return JsonResponse({"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503)


def bearer_token(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def address_allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = [ipaddress.ip_network(n.strip(), strict=False) for n in settings.METRICS_ALLOWED_NETWORKS if n.strip()]
    return any(ip.version == net.version and ip in net for net in networks)


def may_scrape(request) -> bool:
    expected = settings.METRICS_TOKEN
    presented = bearer_token(request)
    if expected and presented:
        return hmac.compare_digest(presented.encode(), expected.encode())
    return address_allowed(client_ip(request))


def exposition() -> bytes:
    """The text exposition: the process metrics (or, in multiprocess mode, every process's, added up) and the
    figures counted in the database now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        counted = generate_latest(processes)
    else:
        counted = generate_latest(REGISTRY)
    domain = CollectorRegistry()
    domain.register(DomainCollector())
    return counted + generate_latest(domain)


@never_cache
@require_GET
def metrics(request):
    if not may_scrape(request):
        return HttpResponse(status=404)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
