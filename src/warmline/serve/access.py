"""Who is asking and may they: the client's address (forwarded headers only from configured proxies), bearer keys
compared in constant time, failed keys limited per client, requests limited per key (or per address on a key-less
server)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections import defaultdict, deque

BEARER = "Bearer "


class RateLimiter:
    """At most `per_minute` events per key in any 60-second window."""

    def __init__(self, per_minute: int, max_keys: int = 100_000):
        self.per_minute = per_minute
        self.max_keys = max_keys
        self.hits: dict[str, deque] = defaultdict(deque)

    def wait(self, key: str) -> float | None:
        """None when under the limit, else seconds to wait; counts nothing."""
        now = time.monotonic()
        q = self.hits.get(key)
        if q is None:
            return None
        while q and now - q[0] >= 60:
            q.popleft()
        if not q:
            del self.hits[key]
            return None
        return 60 - (now - q[0]) if len(q) >= self.per_minute else None

    def hit(self, key: str) -> None:
        if len(self.hits) >= self.max_keys:  # many clients at once: forget the idle ones
            for k in [k for k, q in self.hits.items() if not q or time.monotonic() - q[-1] >= 60]:
                del self.hits[k]
        self.hits[key].append(time.monotonic())

    def check(self, key: str) -> float | None:
        """None (and the event counted) when allowed, else seconds to wait."""
        wait = self.wait(key)
        if wait is None:
            self.hit(key)
        return wait


def networks(entries: list[str]) -> list:
    """Addresses or CIDR ranges ("10.0.0.0/8"); a ValueError names a bad one."""
    out = []
    for e in entries:
        try:
            out.append(ipaddress.ip_network(e.strip(), strict=False))
        except ValueError:
            raise ValueError(f"trusted_proxies: {e!r} is not an IP address or CIDR range") from None
    return out


def _within(address: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def client_address(peer: str, forwarded_for: str | None, proxies: list) -> str:
    """The peer's address; when the peer is a trusted proxy, the nearest address in X-Forwarded-For that is not
    one (read from the right: a client can write anything to the left of what its proxy appended)."""
    if not forwarded_for or not _within(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not _within(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: fall back to the proxy's own address
    return peer


def key_matches(authorization: str, keys: list[bytes]) -> str | None:
    """The key's fingerprint when `authorization` is "Bearer <a configured key>", else None; every configured key
    is compared, in constant time."""
    if not authorization.startswith(BEARER):
        return None
    given = authorization[len(BEARER) :].strip().encode("utf-8", "replace")
    found = False
    for k in keys:
        found |= hmac.compare_digest(given, k)
    return "key:" + hashlib.sha256(given).hexdigest()[:16] if found else None
