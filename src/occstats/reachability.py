"""Can upstream be reached at all? Asked once by the CLI, before the orchestrator starts.

Offline (no DNS answer, connection refused) every release of a refresh fails within the same second;
what took the time was Prefect's embedded server starting (15-30 s on a busy 2-core machine, measured
for issue 11) only to record runs that nobody watches: the embedded server stops with the CLI, so no
automation or notification ever sees them. So when no PREFECT_API_URL names a running server and none
of the hosts a refresh would fetch from can be reached, the CLI runs the same pipeline without Prefect:
one line per release with the hint, over in seconds, exit 1. Against a running server the run goes
through Prefect as always, so its automations see the Failed run.

Only a failure to open a connection counts, as in `fetch.unreachable`: a host that answers slowly, a
proxy in the environment or a mirror directory are "reachable", and the refresh takes its normal path.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

from requests.utils import get_environ_proxies

from occstats.fetch import mirror_url
from occstats.products import REGISTRY
from occstats.settings import Settings

PROBE_SECONDS = 3.0  # a name lookup or connect that takes longer is a slow network, not an absent one
DEFAULT_PORTS = {"http": 80, "https": 443}


def upstream_hosts(settings: Settings, products: Iterable[str], years: list[int] | None = None) -> set[tuple[str, int]]:
    """(host, port) of every URL the products' catalogs would fetch first, mapped into the mirror.

    Empty when nothing goes over the network: a mirror directory, or a proxy that requests would use
    (whether the proxy reaches BLS cannot be known without asking it, so the normal path asks).
    """
    hosts: set[tuple[str, int]] = set()
    for name in products:
        for release in REGISTRY[name].catalog.releases(years):
            for url in release.urls[:1]:
                target = mirror_url(url, settings.mirror)
                parts = urlsplit(target)
                if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
                    continue
                if get_environ_proxies(target):
                    return set()
                hosts.add((parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme]))
    return hosts


def probe(host: str, port: int, timeout: float = PROBE_SECONDS) -> str | None:
    """Why (host, port) cannot be reached ("name resolution failed", "connection refused", …), or None."""
    try:
        with ThreadPoolExecutor(1) as pool:  # getaddrinfo has no timeout of its own
            addresses = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM).result(timeout)
    except FutureTimeout:
        return None
    except socket.gaierror:
        return "name resolution failed"
    reasons: list[str] = []
    for family, kind, proto, _name, address in addresses:
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(timeout)
                sock.connect(address)
            return None
        except TimeoutError:
            return None
        except ConnectionRefusedError:
            reasons.append("connection refused")
        except OSError as exc:
            reasons.append("network unreachable" if "unreachable" in str(exc).lower() else "no connection")
    return reasons[0] if reasons else "no address"


def all_unreachable(
    settings: Settings, products: Iterable[str], years: list[int] | None = None
) -> dict[str, str] | None:
    """{host (":port" unless 80/443): reason} when no upstream host of the refresh can be reached; None when one can
    (or nothing goes over the network). The hosts are probed at the same time: a second at most offline."""
    hosts = sorted(upstream_hosts(settings, products, years))
    if not hosts:
        return None
    with ThreadPoolExecutor(len(hosts)) as pool:
        reasons = list(pool.map(lambda hp: probe(*hp), hosts))
    if any(reason is None for reason in reasons):
        return None
    return {
        host if port in DEFAULT_PORTS.values() else f"{host}:{port}": reason
        for (host, port), reason in zip(hosts, reasons, strict=True)
        if reason
    }
