"""The server's plain ASGI middleware (not BaseHTTPMiddleware, which copies every streamed chunk once more):
security headers on every response, the Host allow-list, and for /v1/ the key, the rate limits and the body
size cap counted on the bytes actually read (chunked uploads included)."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.responses import JSONResponse

from .access import RateLimiter, client_address, key_matches, networks
from .protocol import error
from .settings import LOOPBACK, ServeSettings

WILDCARD_BINDS = ("0.0.0.0", "::", "")


def refusal(status: int, message: str, kind: str, code: str | None = None, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error(status, message, kind, code), status_code=status, headers=headers)


def page_policy(html: str) -> str:
    """A Content-Security-Policy for the web page: its own inline script and style (by hash), requests to this
    origin only, no framing."""

    def hashes(tag: str) -> str:
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks)

    return (
        f"default-src 'none'; script-src {hashes('script')}; style-src {hashes('style')}; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


API_POLICY = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """CSP, X-Frame-Options, X-Content-Type-Options and Referrer-Policy on every response."""

    def __init__(self, inner, page_csp: str):
        self.inner, self.page_csp = inner, page_csp

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        csp = (self.page_csp if scope["path"] == "/" else API_POLICY).encode()

        async def send_with(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.inner(scope, receive, send_with)


def host_names(settings: ServeSettings) -> set[str] | None:
    """The Host names answered: the bound host (and the loopback names on loopback) and the configured ones;
    None: any (a wildcard bind, where keys are required, or '*' configured)."""
    if "*" in settings.allowed_hosts or settings.host in WILDCARD_BINDS:
        return None
    names = {settings.host.lower().strip("[]")} | {h.lower().strip("[]") for h in settings.allowed_hosts}
    if settings.host in LOOPBACK:
        names |= {"localhost", "127.0.0.1", "::1"}
    return names


def _host_of(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostCheck:
    """400 for a Host header not in the allow-list: a page on another site whose name was rebound to this
    machine's address cannot read from it."""

    def __init__(self, inner, names: set[str] | None):
        self.inner, self.names = inner, names

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.names is not None:
            host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
            if _host_of(host) not in self.names:
                return await refusal(
                    400,
                    "this server does not answer to that Host name (set allowed_hosts)",
                    "invalid_request_error",
                    "host_not_allowed",
                )(scope, receive, send)
        await self.inner(scope, receive, send)


class Guard:
    """For /v1/: failed keys limited per client, the key, the request rate, then the body read whole (at most
    max_request_bytes, however it is sent) and handed on. Sets scope["state"]["principal"]: the key's
    fingerprint, or the client's address on a key-less server."""

    def __init__(self, inner, settings: ServeSettings):
        self.inner, self.settings = inner, settings
        self.keys = [k.encode() for k in sorted(settings.api_keys())]
        self.need_auth = bool(self.keys) or settings.host not in LOOPBACK
        self.proxies = networks(settings.trusted_proxies)
        self.requests = RateLimiter(settings.rate_limit_per_minute)
        self.failures = RateLimiter(settings.auth_failures_per_minute)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/v1/") or scope["method"] == "OPTIONS":
            return await self.inner(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refused, principal = self.admit(scope, headers)
        if refused is None:
            refused, receive = await self.read_body(headers, receive)
        if refused is not None:
            return await refused(scope, receive, send)
        scope.setdefault("state", {})["principal"] = principal
        await self.inner(scope, receive, send)

    def admit(self, scope, headers: dict) -> tuple[JSONResponse | None, str]:
        peer = (scope.get("client") or ("unknown", 0))[0]
        client = client_address(peer, headers.get("x-forwarded-for"), self.proxies)
        size = headers.get("content-length", "")
        if size.isdigit() and int(size) > self.settings.max_request_bytes:
            return self.too_large(), client
        principal = "addr:" + client
        if self.need_auth:
            wait = self.failures.wait(client)
            if wait is not None:
                return self.too_many(wait), client
            found = key_matches(headers.get("authorization", ""), self.keys)
            if found is None:
                self.failures.hit(client)
                return refusal(
                    401,
                    "missing or invalid API key (Authorization: Bearer ...)",
                    "invalid_request_error",
                    "invalid_api_key",
                ), client
            principal = found
        wait = self.requests.check(principal)
        return (self.too_many(wait) if wait is not None else None), principal

    async def read_body(self, headers: dict, receive):
        """(a refusal or None, a receive that replays the body and then passes on, for disconnects)."""
        if "content-length" not in headers and "transfer-encoding" not in headers:
            return None, receive
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None, _replay(message, receive)  # the client left
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.settings.max_request_bytes:
                return self.too_large(), receive
        return None, _replay({"type": "http.request", "body": bytes(body), "more_body": False}, receive)

    def too_large(self) -> JSONResponse:
        return refusal(
            413,
            f"request body over {self.settings.max_request_bytes} bytes",
            "invalid_request_error",
            "request_too_large",
        )

    @staticmethod
    def too_many(wait: float) -> JSONResponse:
        return refusal(
            429,
            "rate limit reached; retry later",
            "rate_limit_error",
            "rate_limit_exceeded",
            {"Retry-After": str(max(1, int(wait + 0.999)))},
        )


def _replay(first: dict, receive):
    pending = [first]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay
