"""Two-factor users: their own account, TOTP enrolled once, sign-ins through the challenge
(tags `2fa`, `lockout`)."""

from __future__ import annotations

import time

from locust import between, tag, task
from locust.exception import StopUser

from . import api
from .accounts import Authenticator, Session, new_password, register, unique_email
from .base import GavelUser


class TwoFactorUser(GavelUser):
    weight = 1
    wait_time = between(2, 6)

    # Wrong codes and wrong passwords also count against the load generator's address
    # (auth.address_max_failures, 100 per 15 min by default), which every simulated user shares:
    # one wrong code and the five wrong passwords of the lockout drill per Locust process, so
    # about a dozen runs fit in one 15-minute window before that address is locked out.
    wrong_code_budget = 1
    lockout_drill_done = False

    def on_start(self):
        email, password = unique_email("2fa"), new_password()
        if not register(self.client, email, password, "Locust two-factor user").ok:
            raise StopUser()
        self.session = self.sign_in(Session(email, password))

        def enrolment(o: api.Outcome) -> str | None:
            body = o.body or {}
            ok = body.get("secret") and str(body.get("otpauth_url", "")).startswith("otpauth://totp/")
            return None if ok else "enrolment without secret or otpauth_url"

        enrol = self.session.call(self.client, "POST", api.TOTP_ENABLE, name=api.TOTP_ENABLE, accept={200: None},
                                  json_body={"password": password}, check=enrolment)
        if not enrol.ok:
            raise StopUser()
        authenticator = Authenticator(enrol.body["secret"])

        def codes(o: api.Outcome) -> str | None:
            return None if len((o.body or {}).get("recovery_codes") or []) == 10 else "verification without 10 recovery codes"

        verified = self.session.call(self.client, "POST", api.TOTP_VERIFY, name=api.TOTP_VERIFY, accept={200: None},
                                     json_body={"code": authenticator.next_code()}, check=codes)
        if not verified.ok:
            raise StopUser()
        self.session.authenticator = authenticator
        self.session.recovery_codes = list(verified.body["recovery_codes"])[:2]  # a couple are used later
        self.me()
        if not TwoFactorUser.lockout_drill_done and _selected(self.environment, "lockout"):
            TwoFactorUser.lockout_drill_done = True
            self.lockout_drill()

    @tag("2fa")
    @task(4)
    def me(self):
        def shows_2fa(o: api.Outcome) -> str | None:
            return None if (o.body or {}).get("two_factor_enabled") is True else "me does not show two_factor_enabled"

        self.session.call(self.client, "GET", api.ME, name=api.ME, accept={200: None}, check=shows_2fa)

    @tag("2fa")
    @task(3)
    def sign_in_with_totp(self):
        if not self.session.authenticator.has_code():
            return self.me()  # every code the server takes now was used: sign in a little later
        self._sign_in(recovery=False)

    @tag("2fa")
    @task(1)
    def sign_in_with_recovery_code(self):
        if not self.session.recovery_codes:
            return self.sign_in_with_totp()
        self._sign_in(recovery=True)

    def _sign_in(self, *, recovery: bool):
        old_refresh = self.session.refresh_token
        login = self._password_step(self.session.email, self.session.password)
        if not login.ok:
            return
        tokens = self.session.complete_challenge(self.client, login.body["challenge_token"], recovery=recovery)
        if not tokens.ok:
            return
        self.session.adopt(tokens.body)
        if old_refresh:  # end the previous session, as a browser replacing its tokens would
            self.session.call(self.client, "POST", api.LOGOUT, name=api.LOGOUT, accept={204: None},
                              json_body={"refresh_token": old_refresh})

    def _password_step(self, email: str, password: str) -> api.Outcome:
        def challenged(o: api.Outcome) -> str | None:
            body = o.body or {}
            return None if body.get("two_factor_required") and body.get("challenge_token") else "2FA account signed in without a challenge"

        return api.call(self.client, "POST", api.LOGIN, name=api.LOGIN, accept={200: None},
                        json_body={"email": email, "password": password}, check=challenged)

    @tag("2fa")
    @task(1)
    def mistype_code(self):
        """A wrong code is refused with 401; the next right one still works."""
        if TwoFactorUser.wrong_code_budget <= 0:
            return self.me()
        TwoFactorUser.wrong_code_budget -= 1
        login = self._password_step(self.session.email, self.session.password)
        if login.ok:
            wrong = self.session.authenticator.totp.at(time.time() + 3600)  # the code of an hour later
            api.call(self.client, "POST", api.CHALLENGE, name=api.CHALLENGE, accept={401: {"identity.invalid_code"}},
                     json_body={"challenge_token": login.body["challenge_token"], "code": wrong})

    def lockout_drill(self):
        """Once per process, by the first 2FA user, on an account of its own: five wrong
        passwords are refused (401), the sixth attempt finds the account locked (429 +
        Retry-After). Left out with `--exclude-tags lockout`."""
        email, password = unique_email("lockout"), new_password()
        if not register(self.client, email, password, "Locust lockout drill").ok:
            return

        def retry_after(o: api.Outcome) -> str | None:
            return None if o.header("Retry-After") else "429 without Retry-After"

        for attempt in range(6):
            locked = attempt == 5
            outcome = api.call(
                self.client, "POST", api.LOGIN, name=api.LOGIN,
                accept={429: {"identity.locked"}} if locked else {401: {"identity.invalid_credentials"}},
                json_body={"email": email, "password": password + "-wrong"},
                check=retry_after if locked else None, check_errors=True)
            if not outcome.ok:
                return


def _selected(environment, name: str) -> bool:
    """Whether --tags / --exclude-tags leave the tag `name` (of a 2FA user) in."""
    options = environment.parsed_options
    tags = set(getattr(options, "tags", None) or [])
    excluded = set(getattr(options, "exclude_tags", None) or [])
    return not ({name, "2fa"} & excluded) and (not tags or bool({name, "2fa"} & tags))
