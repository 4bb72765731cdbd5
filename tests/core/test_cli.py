"""The command line: dev tokens for the demo personas, and start-up failures as one readable line."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from models.core.viewer import Role
from models.demo.org import build_organization
from server.auth import DEFAULT_TTL, decode_token
from server.config import DEV_JWT_SECRET

SECRET = "cli-test-secret-that-is-long-enough-0123456789"
UNREACHABLE_MONGODB = "mongodb://127.0.0.1:1/x"
UNREACHABLE_REDIS = "redis://127.0.0.1:1"
DEMO = build_organization()


def run_cli(*args: str, timeout: float = 8, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m server …`` in the project, with only the settings given (none inherited)."""
    base = {k: v for k, v in os.environ.items() if k not in {"MONGODB_URL", "MONGODB_DB", "BROADCAST_URL",
                                                             "JWT_SECRET", "HOST", "PORT", "DEBUG"}}
    return subprocess.run([sys.executable, "-m", "server", *args], cwd="/work/main", env={**base, **env},
                          capture_output=True, text=True, timeout=timeout, check=False)


def one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a command that must fail cleanly (exit 1, no traceback)."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("perfgraph: ")
    return lines[0]


@pytest.mark.parametrize("persona", ["employee", "manager", "hr_admin"])
def test_token_for_a_persona_carries_its_claims(persona: str) -> None:
    # given the demo persona
    person = next(e for e in DEMO.employees if e["_id"] == DEMO.personas[persona])
    # when a token is minted for them
    before = time.time()
    result = run_cli("token", "--persona", persona)
    # then stdout is just the JWT, signed with the dev secret, for that person, organisation and roles
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    claims = decode_token(DEV_JWT_SECRET, token)
    assert (claims.employee_id, claims.organization_id, claims.roles) == (
        person["_id"], DEMO.organization["_id"], frozenset(Role(r) for r in person["roles"]))
    assert int(before) + DEFAULT_TTL <= claims.expires_at <= time.time() + DEFAULT_TTL


def test_manager_token_claims_the_manager_role() -> None:
    claims = decode_token(DEV_JWT_SECRET, run_cli("token", "--persona", "manager").stdout.strip())
    assert claims.roles == frozenset({Role.EMPLOYEE, Role.MANAGER})


def test_token_uses_jwt_secret_and_ttl() -> None:
    # given a configured secret / when a short-lived token is minted for an employee id
    employee_id = DEMO.personas["employee"]
    before = time.time()
    result = run_cli("token", "--employee", employee_id, "--ttl", "60", JWT_SECRET=SECRET)
    # then it verifies with that secret and expires in a minute
    assert result.returncode == 0, result.stderr
    claims = decode_token(SECRET, result.stdout.strip())
    assert claims.employee_id == employee_id
    assert int(before) + 60 <= claims.expires_at <= time.time() + 60


def test_token_for_an_unknown_employee_fails_cleanly() -> None:
    result = run_cli("token", "--employee", "nobody")
    assert one_line_failure(result) == "perfgraph: no employee 'nobody' in the demo organisation"
    assert result.stdout == ""


def test_serve_with_unreachable_mongodb_fails_in_one_line() -> None:
    # given a MongoDB URL where nothing listens / when the server is started
    started = time.monotonic()
    result = run_cli("serve", MONGODB_URL=UNREACHABLE_MONGODB, JWT_SECRET=SECRET)
    # then it gives up within seconds with one line naming the store
    assert time.monotonic() - started < 8
    assert one_line_failure(result).startswith("perfgraph: MongoDB is unreachable (127.0.0.1:1")


def test_serve_with_unreachable_redis_fails_in_one_line() -> None:
    # given the embedded store and a Redis URL where nothing listens / when the server is started
    started = time.monotonic()
    result = run_cli("serve", BROADCAST_URL=UNREACHABLE_REDIS)
    # then it gives up within seconds with one line naming the broadcast backend
    assert time.monotonic() - started < 8
    assert one_line_failure(result).startswith(f"perfgraph: cannot connect to {UNREACHABLE_REDIS}")


def test_serve_with_real_mongodb_and_no_secret_fails_in_one_line() -> None:
    result = run_cli("serve", MONGODB_URL=UNREACHABLE_MONGODB)
    assert one_line_failure(result) == ("perfgraph: JWT_SECRET is required with a real MongoDB "
                                        "(the dev default is for the embedded store only)")


@pytest.mark.parametrize(("url", "reason"), [
    ("mongodb://db.example.com:99999/x", "Port must be an integer between 0 and 65535"),
    ("mongodb://[db.example.com/x", "an IPv6 address literal must be enclosed in '[' and ']' according to RFC 2732."),
])
def test_serve_with_a_mongodb_url_pymongo_cannot_parse_fails_in_one_line(url: str, reason: str) -> None:
    result = run_cli("serve", MONGODB_URL=url, JWT_SECRET=SECRET)
    assert one_line_failure(result) == f"perfgraph: MONGODB_URL is not valid ({reason})"


def test_serve_with_an_out_of_range_port_fails_in_one_line() -> None:
    result = run_cli("serve", PORT="99999")
    assert one_line_failure(result) == "perfgraph: PORT must be between 0 and 65535, not 99999"
