#!/usr/bin/env python3
"""Mint an HS256 JWT access token for Gavel (python3 standard library only).

Used by scripts/e2e.sh and scripts/bench.sh to act as a user without going through
login. Prints the compact token on stdout.

    scripts/mint_token.py --secret "$GAVEL_AUTH_JWT_SECRET" --sub "$(python3 -c 'import uuid;print(uuid.uuid4())')"

Header:  {"alg": "HS256", "typ": "JWT"}
Payload: iss, aud, sub (a UUID string), exp, iat, nbf (NumericDate seconds),
         jti (uuid4), typ ("access" unless --typ says otherwise).
A negative --ttl yields an already expired token (for negative tests).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import uuid


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(secret: str, sub: str, ttl: int, iss: str, aud: str, typ: str, now: int) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {
        "iss": iss,
        "aud": aud,
        "sub": sub,
        "exp": now + ttl,
        "iat": now,
        "nbf": now,
        "jti": str(uuid.uuid4()),
        "typ": typ,
    }
    compact = lambda obj: json.dumps(obj, separators=(",", ":"), sort_keys=False).encode("utf-8")
    signing_input = b64url(compact(header)) + "." + b64url(compact(payload))
    signature = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Mint an HS256 JWT access token for Gavel.")
    parser.add_argument("--secret", default=os.environ.get("GAVEL_AUTH_JWT_SECRET"),
                        help="HMAC secret (default: $GAVEL_AUTH_JWT_SECRET)")
    parser.add_argument("--sub", required=True, help="subject: the user id (a UUID)")
    parser.add_argument("--ttl", type=int, default=900, help="lifetime in seconds (default 900)")
    parser.add_argument("--iss", default="gavel", help="issuer (default gavel)")
    parser.add_argument("--aud", default="gavel", help="audience (default gavel)")
    parser.add_argument("--typ", default="access", help="token type claim (default access)")
    args = parser.parse_args(argv)

    if not args.secret:
        parser.error("--secret is required (or set GAVEL_AUTH_JWT_SECRET)")
    try:
        sub = str(uuid.UUID(args.sub))
    except ValueError:
        parser.error(f"--sub must be a UUID, got {args.sub!r}")

    print(mint(args.secret, sub, args.ttl, args.iss, args.aud, args.typ, int(time.time())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
