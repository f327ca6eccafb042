"""Bearer tokens: 401 without a valid one, 403 without the role."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Annotated

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from httpx import ASGITransport, AsyncClient

from contest_runtime.auth import AuthSettings, Principal, Role, mint, require_roles, verify
from contest_runtime.problems import install_problem_handlers

SETTINGS = AuthSettings(jwt_key="a-test-secret-of-sufficient-length")


def secured_app(settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    app.state.auth_settings = settings
    install_problem_handlers(app)

    @app.get("/secretary/applications")
    async def applications(
        principal: Annotated[Principal, Depends(require_roles(Role.SECRETARY, Role.OPERATOR))],
    ) -> dict[str, str | None]:
        return {"subject": principal.subject, "region": principal.region_code}

    return app


async def call(
    token: str | None, settings: AuthSettings = SETTINGS
) -> tuple[int, dict[str, object], str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with AsyncClient(
        transport=ASGITransport(app=secured_app(settings)), base_url="http://t"
    ) as http:
        response = await http.get("/secretary/applications", headers=headers)
    return response.status_code, response.json(), response.headers.get("www-authenticate", "")


async def test_a_caller_with_the_role_passes_with_their_identity() -> None:
    token = mint(SETTINGS, subject="sec-71", roles=[Role.SECRETARY], region_code="KZ-71")
    assert await call(token) == (200, {"subject": "sec-71", "region": "KZ-71"}, "")


async def test_no_token_is_401_with_a_bearer_challenge() -> None:
    status, body, challenge = await call(None)
    assert (status, body["code"]) == (401, "unauthenticated")
    assert challenge.startswith("Bearer")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        mint(
            AuthSettings(jwt_key="another-secret-of-sufficient-length"),
            subject="x",
            roles=[Role.OPERATOR],
        ),
        mint(SETTINGS, subject="x", roles=[Role.OPERATOR], ttl=timedelta(seconds=-5)),
        mint(
            AuthSettings(jwt_key=SETTINGS.jwt_key, jwt_audience="other"),
            subject="x",
            roles=[Role.OPERATOR],
        ),
    ],
    ids=["garbage", "wrong-key", "expired", "wrong-audience"],
)
async def test_invalid_tokens_are_401(token: str) -> None:
    status, body, _ = await call(token)
    assert (status, body["code"]) == (401, "unauthenticated")


async def test_a_valid_token_without_the_role_is_403() -> None:
    status, body, _ = await call(mint(SETTINGS, subject="a-1", roles=[Role.APPLICANT]))
    assert (status, body["code"]) == (403, "forbidden")


async def test_rs256_tokens_verify_with_the_public_key_only() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = AuthSettings(jwt_algorithm="RS256", jwt_key=public_pem)
    token = mint(settings, subject="op", roles=[Role.OPERATOR], signing_key=private_pem)
    assert (await call(token, settings))[0] == 200


def _signed(claims: dict[str, object]) -> str:
    """A token signed with the right key whose claims are as given (over the valid ones)."""
    valid = jwt.decode(
        mint(SETTINGS, subject="sec-71", roles=[Role.SECRETARY], region_code="KZ-71"),
        options={"verify_signature": False},
    )
    merged = {key: value for key, value in {**valid, **claims}.items() if value is not None}
    return jwt.encode(merged, SETTINGS.jwt_key.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"region": 59},
        {"region": ["KZ-59"]},
        {"region": {"code": "KZ-59"}},
        {"roles": {"secretary": True}},
        {"roles": "secretary"},
        {"roles": [["secretary"]]},
        {"roles": ["secretary", 7]},
        {"sub": ""},
        {"sub": "   "},
        {"sub": 42},
        {"sub": ["sec-71"]},
    ],
)
async def test_a_signed_token_with_a_malformed_claim_is_401(claims: dict[str, object]) -> None:
    status, body, challenge = await call(_signed(claims))
    assert (status, body["code"]) == (401, "unauthenticated"), body
    assert challenge.startswith("Bearer")


def test_mint_token_prints_a_token_the_services_verify(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from contest_runtime.__main__ import main

    monkeypatch.setenv("AUTH_JWT_KEY", "k" * 40)
    assert main(["mint-token", "--role", "secretary", "--region", "KZ-71"]) == 0
    claims = jwt.decode(
        capsys.readouterr().out.strip(),
        "k" * 40,
        algorithms=["HS256"],
        audience="contest-platform",
        issuer="contest-platform",
    )
    assert claims["roles"] == ["secretary"] and claims["region"] == "KZ-71"


def test_mint_token_loads_none_of_the_libraries_that_made_it_take_seconds() -> None:
    """A token for a script is quick because minting imports no web framework, HTTP client,
    broker or store client (measured once: 5 s with them, 0.4 s without); a new import on
    that path would slow every script that mints."""
    heavy = ("fastapi", "starlette", "httpx", "aiokafka", "faststream", "pymongo", "authlib")
    probe = (
        "import sys, os\n"
        "os.environ['AUTH_JWT_KEY'] = 'k' * 40\n"
        "from contest_runtime.__main__ import main\n"
        "assert main(['mint-token', '--role', 'operator']) == 0\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stderr.strip() == "[]", done.stderr


def test_mint_token_carries_an_iin_bin_the_services_map(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from contest_runtime.__main__ import main

    monkeypatch.setenv("AUTH_JWT_KEY", "k" * 40)
    assert main(["mint-token", "--role", "applicant", "--iin-bin", "900101300123"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify(token, AuthSettings()).iin_bin == "900101300123"
    assert main(["mint-token", "--role", "applicant"]) == 0
    assert verify(capsys.readouterr().out.strip(), AuthSettings()).iin_bin is None
    with pytest.raises(SystemExit) as refused:
        main(["mint-token", "--role", "applicant", "--iin-bin", "9001013001"])
    assert refused.value.code == 2
    assert "12 digits" in capsys.readouterr().err


def test_mint_token_without_a_static_key_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from contest_runtime.__main__ import main

    monkeypatch.delenv("AUTH_JWT_KEY", raising=False)
    assert main(["mint-token", "--role", "operator"]) == 2
    assert "set AUTH_JWT_KEY" in capsys.readouterr().err
    monkeypatch.setenv("AUTH_ISSUER", "http://127.0.0.1:9/")  # a provider, and no key
    assert main(["mint-token", "--role", "operator"]) == 2
