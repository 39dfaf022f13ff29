"""Accounts, sessions and the second factor.

A login costs Gavel one bcrypt verification (about 50 ms of CPU at the default cost 10), so a
session is made once per account and shared by every simulated user of that account in this
Locust process. Its access token is renewed shortly before it expires (15 min by default) and
when a request is answered 401 — under a lock, because refresh tokens rotate and presenting a
revoked one revokes the whole family (by design), which would log every sharer out.

Seeded accounts are `user1@gavel.test` … `userN@gavel.test` with the demo password
(`gavel seed`); N is `LOADTEST_SEED_USERS` (default 10, as `gavel seed`). Against a server that
was not seeded, a missing demo account is registered on first use, so the scenarios still run.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import secrets
import time

import gevent.lock
import pyotp

from . import api

SEED_PASSWORD = os.environ.get("LOADTEST_SEED_PASSWORD", "gavel-demo-password")
SEED_USERS = max(1, int(os.environ.get("LOADTEST_SEED_USERS", "10")))
# Renew this long before `expires_in` runs out (a quarter of it for short lifetimes), so no
# request races the expiry.
RENEW_MARGIN_SECONDS = 60
# Unique per Locust process: accounts this run registers never collide with an earlier run's.
RUN_ID = secrets.token_hex(4)
_serial = itertools.count(1)


def unique_email(kind: str) -> str:
    return f"locust-{kind}-{RUN_ID}-{next(_serial)}@gavel.test"


def new_password() -> str:
    return "Locust-" + secrets.token_urlsafe(12)


def _subject(access_token: str) -> str | None:
    """The `sub` claim, read without verification: the server is the one that verifies."""
    try:
        payload = access_token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload)).get("sub")
    except (IndexError, ValueError):
        return None


def _tokens_check(outcome: api.Outcome) -> str | None:
    body = outcome.body if isinstance(outcome.body, dict) else {}
    if body.get("two_factor_required"):
        return None if body.get("challenge_token") else "challenge without challenge_token"
    if not body.get("access_token") or not body.get("refresh_token") or body.get("token_type") != "Bearer":
        return "token response without access_token, refresh_token or token_type Bearer"
    return None


class Authenticator:
    """The user's TOTP app. Gavel accepts the codes of the previous, current and next 30 s step
    and each step only once per account (replay protection), so a code is only sent for a step
    later than the last one used; when none is left the caller waits for the next step."""

    def __init__(self, secret: str):
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    def has_code(self) -> bool:
        return self.last_step is None or self.last_step <= int(time.time() // 30)

    def next_code(self) -> str | None:
        step = int(time.time() // 30)
        candidate = step if self.last_step is None or self.last_step < step else self.last_step + 1
        if candidate > step + 1:
            return None
        self.last_step = candidate
        return self.totp.at(candidate * 30)


class Session:
    """One account's tokens, shared by the simulated users of that account."""

    def __init__(self, email: str, password: str, *, register_if_missing: bool = False):
        self.email = email
        self.password = password
        self.register_if_missing = register_if_missing
        self.access: str | None = None
        self.refresh_token: str | None = None
        self.renew_at = 0.0
        self.user_id: str | None = None
        self.authenticator: Authenticator | None = None  # set once 2FA is enabled
        self.recovery_codes: list[str] = []
        self._lock = gevent.lock.RLock()

    # -- state ----------------------------------------------------------------------------
    def adopt(self, tokens: dict) -> None:
        self.access = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        lifetime = float(tokens.get("expires_in", 900))
        self.renew_at = time.time() + lifetime - min(RENEW_MARGIN_SECONDS, lifetime / 4)
        self.user_id = _subject(self.access) or self.user_id

    @property
    def fresh(self) -> bool:
        return self.access is not None and time.time() < self.renew_at

    # -- signing in -----------------------------------------------------------------------
    def login(self, client) -> bool:
        """Password login, through the 2FA challenge when the account has it on."""
        with self._lock:
            if self.fresh:
                return True  # another user of this account signed it in while we waited
            accept: dict = {200: None}
            if self.register_if_missing:
                accept[401] = {"identity.invalid_credentials"}
            outcome = api.call(
                client, "POST", api.LOGIN, name=api.LOGIN, accept=accept,
                json_body={"email": self.email, "password": self.password}, check=_login_check)
            if outcome.ok and outcome.status == 401:
                # Not seeded: create the demo account, then sign in once more.
                created = register(client, self.email, self.password, self.email.split("@")[0])
                self.register_if_missing = False
                return created.ok and self.login(client)
            if not outcome.ok:
                return False
            if outcome.body.get("two_factor_required"):
                outcome = self.complete_challenge(client, outcome.body["challenge_token"])
                if not outcome.ok:
                    return False
            self.adopt(outcome.body)
            return True

    def complete_challenge(self, client, challenge_token: str, *, recovery: bool = False) -> api.Outcome:
        if recovery and self.recovery_codes:
            body = {"challenge_token": challenge_token, "recovery_code": self.recovery_codes.pop()}
        else:
            code = self.authenticator.next_code() if self.authenticator else None
            while code is None and self.authenticator is not None:
                gevent.sleep(max(0.2, 30 - time.time() % 30))  # every step was used: wait for the next
                code = self.authenticator.next_code()
            body = {"challenge_token": challenge_token, "code": code or "000000"}
        return api.call(client, "POST", api.CHALLENGE, name=api.CHALLENGE, accept={200: None},
                        json_body=body, check=_tokens_check)

    def renew(self, client, stale_token: str | None = None) -> bool:
        """A fresh access token (refresh-token rotation), or a new login when that fails.
        `stale_token` is the token a 401 answered: when another sharer already replaced it,
        there is nothing to do."""
        with self._lock:
            if stale_token is not None and stale_token != self.access:
                return self.access is not None
            if self.refresh_token:
                outcome = api.call(
                    client, "POST", api.REFRESH, name=api.REFRESH,
                    accept={200: None, 401: None},  # 401: refresh token gone (e.g. a restart); sign in again
                    json_body={"refresh_token": self.refresh_token}, check=_refresh_check)
                if outcome.ok and outcome.status == 200:
                    self.adopt(outcome.body)
                    return True
            self.access = self.refresh_token = None
            return self.login(client)

    def headers(self, client) -> dict | None:
        if self.access is None:
            if not self.login(client):
                return None
        elif not self.fresh:
            if not self.renew(client, self.access):
                return None
        return {"Authorization": f"Bearer {self.access}"}

    # -- requests -------------------------------------------------------------------------
    def call(self, client, method: str, url: str, *, name: str, accept: api.Accept, **kwargs) -> api.Outcome:
        """An authenticated request. A 401 (the token expired or the server restarted with a new
        signing key) renews the session once and repeats the request."""
        headers = self.headers(client)
        if headers is None:
            return api.Outcome(status=0, ok=False)
        used = self.access
        extra = dict(kwargs.pop("headers", None) or {})
        first = api.call(client, method, url, name=name, accept={**accept, 401: None},
                         headers={**extra, **headers}, **kwargs)
        if first.status != 401 or 401 in accept:
            return first
        if not self.renew(client, used):
            return first
        return api.call(client, method, url, name=name, accept=accept,
                        headers={**extra, "Authorization": f"Bearer {self.access}"}, **kwargs)


def _login_check(outcome: api.Outcome) -> str | None:
    return None if outcome.status != 200 else _tokens_check(outcome)


def _refresh_check(outcome: api.Outcome) -> str | None:
    return None if outcome.status != 200 else _tokens_check(outcome)


def register(client, email: str, password: str, name: str) -> api.Outcome:
    def check(outcome: api.Outcome) -> str | None:
        body = outcome.body or {}
        if body.get("email", "").lower() != email.lower() or not body.get("id"):
            return "registration answered without the account's id and email"
        return None

    return api.call(client, "POST", api.REGISTER, name=api.REGISTER, accept={201: None},
                    json_body={"email": email, "password": password, "name": name}, check=check)


class AccountPool:
    """The seeded demo accounts, one shared `Session` each. Bidders take them from the bottom
    (user1, user2, …) and sellers from the top, so the two mostly act as different people."""

    def __init__(self, size: int = SEED_USERS):
        self.size = size
        self._sessions: dict[int, Session] = {}
        self._up = itertools.count(0)
        self._down = itertools.count(0)

    def _session(self, index: int) -> Session:
        if index not in self._sessions:
            self._sessions[index] = Session(f"user{index}@gavel.test", SEED_PASSWORD, register_if_missing=True)
        return self._sessions[index]

    def take(self, from_top: bool = False) -> Session:
        n = next(self._down if from_top else self._up) % self.size
        return self._session(self.size - n if from_top else n + 1)


POOL = AccountPool()
