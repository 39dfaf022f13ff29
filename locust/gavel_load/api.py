"""Requests and their verdicts.

Every request goes through `call`, which decides success or failure from an explicit list of
the answers that are correct for that request, so a *rule* saying no (an outbid 422
`bid.too_low`, a 409 on an auction that just closed) counts as a success while anything else
(a 5xx, an unknown code, a malformed body, a refused connection) is a failure whose message names
the route, the status and the problem `code`. Requests are named by route template so Locust's
statistics group per endpoint, exactly like Gavel's own `route` metric label.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import gevent

# Route templates, written as in the OpenAPI document and in gavel_http_requests_total{route}.
PRODUCTS = "/api/v1/products"
PRODUCT = "/api/v1/products/{id}"
ITEMS = "/api/v1/items"
ITEM = "/api/v1/items/{id}"
ITEM_BIDS = "/api/v1/items/{id}/bids"
ITEM_CANCEL = "/api/v1/items/{id}/cancel"
EVENTS = "/api/v1/events"
IDENTITY = "/api/v1/identity"
REGISTER = IDENTITY + "/register"
LOGIN = IDENTITY + "/login"
CHALLENGE = IDENTITY + "/2fa/challenge"
REFRESH = IDENTITY + "/token/refresh"
LOGOUT = IDENTITY + "/logout"
ME = IDENTITY + "/me"
TOTP_ENABLE = IDENTITY + "/2fa/enable"
TOTP_VERIFY = IDENTITY + "/2fa/verify"

MERGE_PATCH = "application/merge-patch+json"

# status -> None (any problem code is right) or the set of problem codes that are right.
Accept = Mapping[int, "frozenset[str] | set[str] | None"]

# The longest pause honoured from a Retry-After, so a user backs off but keeps the test moving.
MAX_BACKOFF_SECONDS = 5.0


@dataclass
class Outcome:
    """What came back, after the verdict was recorded."""

    status: int
    ok: bool
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name) or self.headers.get(name.lower())


def path(template: str, **values: str) -> str:
    """`/api/v1/items/{id}` with the id filled in."""
    return template.format(**values)


def _parse(response) -> Any:
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return _MALFORMED


_MALFORMED = object()


def _describe(status: int, body: Any) -> str:
    """The failure message; Locust's error report puts the method and route in front of it."""
    if status == 0:
        return "no answer"
    if body is _MALFORMED:
        return f"HTTP {status} with a body that is not JSON"
    if isinstance(body, dict) and "code" in body:
        fields = "; ".join(f"{e.get('field')} {e.get('message')}" for e in body.get("errors") or [] if isinstance(e, dict))
        return f"HTTP {status} {body['code']}: {str(body.get('detail', ''))[:120]}" + (f" ({fields[:160]})" if fields else "")
    return f"HTTP {status}, not an answer this request may get"


def call(
    client,
    method: str,
    url: str,
    *,
    name: str,
    accept: Accept,
    json_body: Any = None,
    data: str | None = None,
    headers: Mapping[str, str] | None = None,
    check: Callable[[Outcome], str | None] | None = None,
    check_errors: bool = False,
) -> Outcome:
    """Sends one request and records one verdict for it.

    `accept` lists the answers that are correct here; `check` may look into an accepted answer
    (2xx/3xx only, unless `check_errors`) and return a complaint, which turns it into a failure
    (e.g. a 201 without an id).
    """
    hdrs = {"Accept": "application/json"}
    hdrs.update(headers or {})
    with client.request(method, url, name=name, json=json_body, data=data, headers=hdrs, catch_response=True) as response:
        status = response.status_code or 0
        body = _parse(response)
        response_headers = response.headers or {}
        codes = accept.get(status, ()) if status else ()
        code = body.get("code") if isinstance(body, dict) else None
        accepted = status in accept and body is not _MALFORMED and (codes is None or status < 400 or code in codes)
        outcome = Outcome(status, accepted, None if body is _MALFORMED else body, response_headers)
        complaint = None
        if accepted and check is not None and (status < 400 or check_errors):
            complaint = check(outcome)
            if complaint:
                outcome.ok = False
        if outcome.ok:
            response.success()
        elif complaint:
            response.failure(f"HTTP {status}: {complaint}")
        else:
            message = _describe(status, body)
            if status == 0 and getattr(response, "error", None) is not None:
                message += f" ({type(response.error).__name__})"
            response.failure(message)
    if status in (429, 503) and not outcome.ok:
        _back_off(outcome)
    return outcome


def _back_off(outcome: Outcome) -> None:
    """A real client honours Retry-After; so does the load generator, up to a limit."""
    try:
        seconds = float(outcome.header("Retry-After") or 1)
    except ValueError:
        seconds = 1.0
    gevent.sleep(min(max(seconds, 0.1), MAX_BACKOFF_SECONDS))


def now_rfc3339(offset_seconds: float = 0.0) -> str:
    t = time.time() + offset_seconds
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 1000):03d}Z"


def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of an API timestamp (UTC, optional milliseconds)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# -- checks shared by the scenarios -----------------------------------------------------------
def page_check(outcome: Outcome) -> str | None:
    """A list answer: `{"data": [...], "page", "page_size", "total"}`."""
    body = outcome.body
    if not isinstance(body, dict) or not isinstance(body.get("data"), list) or "total" not in body:
        return "list without data or total"
    return None


def has_id(outcome: Outcome) -> str | None:
    return None if isinstance(outcome.body, dict) and outcome.body.get("id") else "answer without an id"
