"""Keycloak in the compose stack, checked against the code and the issue's rules.

These machines have no Docker engine, and Keycloak 26 needs Java 21 (they have 17), so
Keycloak is never booted here: the realm file (`deploy/compose/keycloak/contest-realm.json`)
and the compose wiring are read and checked instead. What a running Keycloak does with them
is not proved by these tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from contest_contracts.topics import PLATFORM_SERVICES
from contest_runtime.auth import AuthSettings
from contest_runtime.tokens import Role

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "compose"
REALM_FILE = DEPLOY / "keycloak" / "contest-realm.json"
IMPORT_DIR = "/opt/keycloak/data/import/"
PUBLIC_URL = "https://contest.example.kz"
"""A value for `CONTEST_PUBLIC_URL`, to read the file as compose would."""
REQUIRED = re.compile(r"\$\{(?P<name>[A-Z0-9_]+):\?[^}]*\}")
PLACEHOLDER = re.compile(r"\$\{(?P<name>[A-Z][A-Z0-9_]*)\}")
"""A realm-file placeholder Keycloak fills from its environment at import. Keycloak's own
message keys (`${username}`, lower case) are left alone by it and by this pattern."""
OTHER_GRANTS = (
    "oauth2.device.authorization.grant.enabled",
    "oidc.ciba.grant.enabled",
    "standard.token.exchange.enabled",
)

Json = dict[str, Any]


@pytest.fixture(scope="module")
def services() -> dict[str, Json]:
    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    found: dict[str, Json] = document["services"]
    return found


@pytest.fixture(scope="module")
def realm() -> Json:
    loaded: Json = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return loaded


def client(realm: Json, client_id: str) -> Json:
    (found,) = [c for c in realm["clients"] if c["clientId"] == client_id]
    return found


def mappers(client: Json, kind: str) -> list[Json]:
    return [m for m in client.get("protocolMappers", []) if m["protocolMapper"] == kind]


def interpolated(value: str) -> str:
    """A compose value with `CONTEST_PUBLIC_URL` given; any other variable is an error."""
    names = {m["name"] for m in REQUIRED.finditer(value)}
    assert names <= {"CONTEST_PUBLIC_URL"}, names
    return REQUIRED.sub(PUBLIC_URL, value)


def test_the_realm_has_the_platforms_five_roles_and_no_people(realm: Json) -> None:
    assert realm["realm"] == "contest" and realm["enabled"] is True
    assert {r["name"] for r in realm["roles"]["realm"]} == {role.value for role in Role}
    assert not realm["roles"].get("client")
    # The one user is the ministry client's service account; people are added by an
    # administrator (or come through a broker such as eGov), never shipped in the file.
    for user in realm.get("users", []):
        assert user["username"] == f"service-account-{user['serviceAccountClientId']}", user
        assert "credentials" not in user
    assert realm["registrationAllowed"] is False
    assert realm["bruteForceProtected"] is True
    assert realm["sslRequired"] == "external"
    assert {c["clientId"] for c in realm["clients"]} == {"portal", "ministry"}


def test_the_portal_is_a_confidential_client_of_the_code_flow_with_pkce_and_exact_uris(
    realm: Json,
) -> None:
    portal = client(realm, "portal")
    assert portal["publicClient"] is False
    assert portal["clientAuthenticatorType"] == "client-secret"
    assert portal["standardFlowEnabled"] is True
    assert portal["implicitFlowEnabled"] is False
    assert portal["directAccessGrantsEnabled"] is False
    assert portal["serviceAccountsEnabled"] is False
    assert portal["attributes"]["pkce.code.challenge.method"] == "S256"
    for grant in OTHER_GRANTS:
        assert portal["attributes"][grant] == "false", grant
    assert portal["redirectUris"] == ["${CONTEST_PUBLIC_URL}/auth/callback"]
    assert portal["attributes"]["post.logout.redirect.uris"] == "${CONTEST_PUBLIC_URL}/"
    assert portal["webOrigins"] == []
    uris = [*portal["redirectUris"], portal["attributes"]["post.logout.redirect.uris"]]
    assert not any("*" in uri or uri == "+" for uri in uris), uris


def test_the_ministry_client_can_do_nothing_but_client_credentials_as_an_operator(
    realm: Json,
) -> None:
    ministry = client(realm, "ministry")
    assert ministry["publicClient"] is False
    assert ministry["serviceAccountsEnabled"] is True
    assert ministry["standardFlowEnabled"] is False
    assert ministry["implicitFlowEnabled"] is False
    assert ministry["directAccessGrantsEnabled"] is False
    assert ministry.get("redirectUris", []) == [] and ministry.get("webOrigins", []) == []
    for grant in OTHER_GRANTS:
        assert ministry["attributes"][grant] == "false", grant
    assert ministry["attributes"]["client_credentials.use_refresh_token"] == "false"
    (account,) = [u for u in realm["users"] if u.get("serviceAccountClientId") == "ministry"]
    # The ministry's HTTP calls are the operator's (webhook subscriptions, definitions);
    # its filings travel on Kafka and need no token.
    assert account["realmRoles"] == [Role.OPERATOR.value]
    assert not account.get("clientRoles")
    # Only the roles its scope allows reach a token, whatever is later granted to it.
    assert ministry["fullScopeAllowed"] is False
    scopes = {m["client"]: set(m["roles"]) for m in realm["scopeMappings"]}
    assert scopes["ministry"] == {Role.OPERATOR.value}
    assert scopes["portal"] == {role.value for role in Role}
    assert client(realm, "portal")["fullScopeAllowed"] is False


def test_tokens_carry_what_the_services_are_configured_to_read(
    realm: Json, services: dict[str, Json]
) -> None:
    environment = services["intake"]["environment"]
    for client_id in ("portal", "ministry"):
        found = client(realm, client_id)
        (audience,) = mappers(found, "oidc-audience-mapper")
        assert audience["config"]["included.custom.audience"] == environment["AUTH_JWT_AUDIENCE"]
        assert audience["config"]["access.token.claim"] == "true"
        # Keycloak's built-in `roles` scope writes realm roles to `realm_access.roles`;
        # `basic` gives `sub` (Keycloak 25 and later).
        assert {"basic", "roles"} <= set(found["defaultClientScopes"])
    assert environment["AUTH_JWT_AUDIENCE"] == AuthSettings.model_fields["jwt_audience"].default
    assert environment["AUTH_ROLES_CLAIM"] == "realm_access.roles"
    attributes = {
        m["config"]["user.attribute"]: m["config"]
        for m in mappers(client(realm, "portal"), "oidc-usermodel-attribute-mapper")
    }
    assert set(attributes) == {"region", "iin_bin"}
    assert attributes["region"]["claim.name"] == environment["AUTH_REGION_CLAIM"]
    assert attributes["iin_bin"]["claim.name"] == environment["AUTH_IIN_BIN_CLAIM"]
    for config in attributes.values():
        assert config["access.token.claim"] == "true" and config["multivalued"] == "false"


def test_region_and_iin_bin_are_declared_and_only_an_administrator_sets_them(
    realm: Json,
) -> None:
    (provider,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    (text,) = provider["config"]["kc.user.profile.config"]
    profile = json.loads(text)
    declared = {a["name"]: a for a in profile["attributes"]}
    assert {"username", "email", "firstName", "lastName", "region", "iin_bin"} <= set(declared)
    for name in ("region", "iin_bin"):
        assert declared[name]["permissions"]["edit"] == ["admin"], name
        assert declared[name]["multivalued"] is False
    iin_bin = re.compile(declared["iin_bin"]["validations"]["pattern"]["pattern"])
    assert iin_bin.fullmatch("900101300123") and not iin_bin.fullmatch("90010130012")
    region = re.compile(declared["region"]["validations"]["pattern"]["pattern"])
    assert region.fullmatch("KZ-71") and not region.fullmatch("KZ 71")
    # Undeclared attributes stay off (Keycloak 26's default): a person cannot add claims.
    assert profile.get("unmanagedAttributePolicy") is None


def test_no_secret_is_written_in_the_realm_file_and_every_placeholder_is_set(
    realm: Json, services: dict[str, Json]
) -> None:
    for found in realm["clients"]:
        assert PLACEHOLDER.fullmatch(found["secret"]), found["clientId"]
    environment = services["keycloak"]["environment"]
    for name in {m["name"] for m in PLACEHOLDER.finditer(REALM_FILE.read_text("utf-8"))}:
        value = REQUIRED.fullmatch(str(environment.get(name, "")))
        assert value is not None and value["name"] == name, f"{name} is not set from outside"
    # The portal and Keycloak read the portal client's secret from one variable.
    assert (
        services["portal"]["environment"]["PORTAL_OIDC_CLIENT_SECRET"]
        == (environment["PORTAL_OIDC_CLIENT_SECRET"])
    )


def test_keycloak_is_pinned_imports_the_realm_and_keeps_its_data_in_postgresql(
    services: dict[str, Json],
) -> None:
    keycloak, database = services["keycloak"], services["keycloak-db"]
    assert re.fullmatch(r"quay\.io/keycloak/keycloak:26\.\d+\.\d+", keycloak["image"])
    assert keycloak["command"] == ["start", "--import-realm"]
    assert f"./keycloak/{REALM_FILE.name}:{IMPORT_DIR}{REALM_FILE.name}:ro" in keycloak["volumes"]
    environment = keycloak["environment"]
    assert environment["KC_DB"] == "postgres"
    assert environment["KC_DB_URL"] == "jdbc:postgresql://keycloak-db:5432/keycloak"
    assert environment["KC_DB_PASSWORD"] == database["environment"]["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"postgres:17\.\d+-alpine", database["image"])
    assert keycloak["depends_on"] == {"keycloak-db": {"condition": "service_healthy"}}
    assert "pg_isready" in database["healthcheck"]["test"]
    assert environment["KC_HEALTH_ENABLED"] == "true"
    check = " ".join(keycloak["healthcheck"]["test"])
    assert "/dev/tcp/127.0.0.1/9000" in check and "GET /health/ready" in check
    assert environment["KC_HTTP_MANAGEMENT_RELATIVE_PATH"] == "/"
    # Reached by the proxy and the services on the compose network; on the host only on
    # loopback (the admin console).
    assert keycloak["expose"] == ["8080"]
    assert all(str(port).startswith("127.0.0.1:") for port in keycloak.get("ports", []))


def test_browsers_and_services_see_one_issuer(services: dict[str, Json]) -> None:
    keycloak = services["keycloak"]["environment"]
    public = interpolated(keycloak["KC_HOSTNAME"])
    path = keycloak["KC_HTTP_RELATIVE_PATH"]
    assert urlsplit(public).path == path and public.startswith(PUBLIC_URL)
    issuer = f"{public}/realms/contest"
    assert interpolated(services["portal"]["environment"]["PORTAL_OIDC_ISSUER"]) == issuer
    assert services["portal"]["environment"]["PORTAL_OIDC_CLIENT_ID"] == "portal"
    for name in PLATFORM_SERVICES:
        environment = services[name]["environment"]
        assert "AUTH_JWT_KEY" not in environment, name
        assert interpolated(environment["AUTH_ISSUER"]) == issuer, name
        # Keys by the private address: the same server, its path under the same prefix.
        jwks = urlsplit(environment["AUTH_JWKS_URL"])
        assert (jwks.scheme, jwks.netloc) == ("http", "keycloak:8080"), name
        assert jwks.path == f"{path}/realms/contest/protocol/openid-connect/certs"
        settings = AuthSettings(
            **{
                key.removeprefix("AUTH_").lower(): interpolated(str(value))
                for key, value in environment.items()
                if key.startswith("AUTH_")
            }
        )
        assert settings.uses_provider and settings.expected_issuer == issuer
        assert settings.provider_plain_http  # plain HTTP only because of the flag


def test_the_proxy_passes_sign_in_to_keycloak_uncached_and_not_its_administration() -> None:
    conf = (DEPLOY / "proxy.conf").read_text(encoding="utf-8")
    assert "server keycloak:8080;" in conf
    sign_in = re.search(r"location \^~ /sso/ \{(?P<body>[^}]*)\}", conf)
    assert sign_in is not None
    body = sign_in["body"]
    assert "proxy_pass http://keycloak;" in body and "proxy_cache off;" in body
    # The path reaches Keycloak unchanged (no URI part after the upstream's name).
    assert re.search(r"proxy_pass http://keycloak/", body) is None
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "Connection"):
        assert f"proxy_set_header {header} " in body, header
    admin = re.search(r"location \^~ /sso/admin/ \{(?P<body>[^}]*)\}", conf)
    assert admin is not None and "return 404;" in admin["body"]
