"""The compose deployment, checked against the code: these machines have no Docker engine
to run it, so every service, image, setting, secret, port and start condition it names is
checked to exist and to fit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from contest_contracts.topics import PLATFORM_SERVICES
from contest_intake.settings import IntakeSettings
from contest_judging.settings import JudgingSettings
from contest_notifications.settings import NotificationsSettings
from contest_portal.settings import PortalSettings
from contest_runtime.__main__ import main as runtime_command
from contest_runtime.auth import AuthSettings
from contest_runtime.settings import InfraSettings
from contest_voting.settings import VotingSettings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "compose"
SETTINGS: dict[str, type[BaseSettings]] = {
    "intake": IntakeSettings,
    "judging": JudgingSettings,
    "voting": VotingSettings,
    "notifications": NotificationsSettings,
    "portal": PortalSettings,
}
DEPLOYED = (*PLATFORM_SERVICES, "portal")
"""Every image of the platform: the services and the portal (which reads no broker, store
or token, and no topic names it as a party)."""
INTERPOLATION = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+)(?P<op>:[?-])(?P<rest>[^}]*)\}$")
ONE_SHOT = {"topics", "mongo-replica-set"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = document["services"]
    return found


def variables(settings: type[BaseSettings]) -> dict[str, bool]:
    """Environment variable → whether it is required, for a settings class."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {
        f"{prefix}{name}".upper(): field.is_required()
        for name, field in settings.model_fields.items()
        if name not in {"infra", "auth"}
    }


def known(service: str) -> dict[str, bool]:
    """Every variable a service reads, and whether it is required."""
    if service == "portal":
        return {**variables(AuthSettings), **variables(PortalSettings)}
    return {**variables(InfraSettings), **variables(AuthSettings), **variables(SETTINGS[service])}


def test_each_service_is_its_own_image_of_the_one_dockerfile(
    services: dict[str, dict[str, Any]],
) -> None:
    assert set(DEPLOYED) <= set(services)
    for name in DEPLOYED:
        build = services[name]["build"]
        assert (ROOT / "deploy/compose" / build["context"] / build["dockerfile"]).resolve() == (
            DEPLOY / "Dockerfile"
        )
        assert build["args"] == {"SERVICE": name}
        assert services[name]["image"].startswith(f"contest-{name}:")
        assert (ROOT / "services" / name / "src" / f"contest_{name}" / "__main__.py").exists()


def test_every_variable_set_is_a_setting_of_its_service_and_every_secret_comes_from_outside(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in DEPLOYED:
        environment: dict[str, str] = services[name]["environment"]
        readable = known(name)
        assert set(environment) <= set(readable), set(environment) - set(readable)
        for variable, required in readable.items():
            if required:
                value = INTERPOLATION.match(environment[variable])
                assert value is not None, f"{name}: {variable} is written in the file"
                assert (value["name"], value["op"]) == (variable, ":?"), variable
        assert environment[f"{name.upper()}_HTTP_HOST"] == "0.0.0.0"


def test_each_service_answers_where_its_ports_and_healthcheck_say(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in DEPLOYED:
        service = services[name]
        port = service["environment"][f"{name.upper()}_HTTP_PORT"]
        published = service.get("ports", []) + service.get("expose", [])
        assert published and all(str(m).split(":")[-1] == port for m in published), name
        assert f"http://127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])


def test_services_start_after_what_they_need(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for needed, condition in service.get("depends_on", {}).items():
            assert needed in services, f"{name} needs an unknown {needed}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[needed], f"{needed} has no healthcheck"
            elif condition["condition"] == "service_completed_successfully":
                assert needed in ONE_SHOT and services[needed]["restart"] == "no"
    for name in PLATFORM_SERVICES:
        assert set(services[name]["depends_on"]) == ONE_SHOT
        assert "healthcheck" in services[name]
    assert services["portal"]["depends_on"] == {
        "intake": {"condition": "service_healthy"},
        "keycloak": {"condition": "service_healthy"},
    }
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "--replSet" in services["mongo"]["command"]


def test_the_portal_reads_each_service_where_it_answers_on_the_compose_network(
    services: dict[str, dict[str, Any]],
) -> None:
    environment = services["portal"]["environment"]
    for name in PLATFORM_SERVICES:
        port = services[name]["environment"][f"{name.upper()}_HTTP_PORT"]
        assert environment[f"PORTAL_{name.upper()}_URL"] == f"http://{name}:{port}"
    assert not {"KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "AUTH_JWT_KEY"} & set(environment)


def test_the_topics_job_runs_a_command_the_images_have(
    services: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    command = services["topics"]["command"]
    assert command[:3] == ["python", "-m", "contest_runtime"]
    with pytest.raises(SystemExit) as help_exit:
        runtime_command([*command[3:], "--help"])
    assert help_exit.value.code == 0
    assert "--replication-factor" in capsys.readouterr().out


def test_no_two_services_publish_the_same_host_port(services: dict[str, dict[str, Any]]) -> None:
    taken: dict[int, str] = {}
    for name, service in services.items():
        for mapping in service.get("ports", []):
            host = str(mapping).rsplit(":", 1)[0].rsplit(":", 1)[-1]  # without a host address
            first, _, last = host.partition("-")
            for port in range(int(first), int(last or first) + 1):
                assert port not in taken, f"{name} and {taken[port]} both publish {port}"
                taken[port] = name


def test_the_site_is_reached_through_the_proxy_alone(services: dict[str, dict[str, Any]]) -> None:
    proxy, portal = services["proxy"], services["portal"]
    assert "ports" not in portal and portal["expose"] == ["8005"]
    assert proxy["ports"] == ["8080:8080"]
    assert proxy["depends_on"] == {
        "portal": {"condition": "service_healthy"},
        "keycloak": {"condition": "service_healthy"},
    }
    assert proxy["volumes"] == ["./proxy.conf:/etc/nginx/conf.d/default.conf:ro"]
    conf = (DEPLOY / "proxy.conf").read_text(encoding="utf-8")
    assert "server portal:8005;" in conf and "listen 8080;" in conf
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-alpine", proxy["image"])
    assert portal["environment"]["PORTAL_FORWARDED_ALLOW_IPS"] == "*"


def test_voting_runs_on_several_replicas(services: dict[str, dict[str, Any]]) -> None:
    replicas = INTERPOLATION.match(str(services["voting"]["deploy"]["replicas"]))
    assert replicas is not None and replicas["op"] == ":-"
    assert int(replicas["rest"]) > 1


def test_the_dockerfile_builds_in_two_stages_as_a_non_root_user_on_a_pinned_base() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("\nFROM ") >= 2
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, flags=re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base)
    (user,) = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)
    assert user not in {"0", "root"}
    uv_pin = re.search(r'"uv==([\d.]+)"', dockerfile)
    dev_pin = re.search(r"^UV_VERSION=([\d.]+)$", (ROOT / "dev").read_text(), flags=re.MULTILINE)
    assert uv_pin and dev_pin and uv_pin[1] == dev_pin[1]
    assert "--frozen" in dockerfile
