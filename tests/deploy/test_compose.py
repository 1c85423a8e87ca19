"""docker-compose.yml and the Dockerfile, checked with what runs here (no Docker engine):
the compose specification's JSON schema, and the commands the local runner uses."""
import json
import re

import jsonschema
import pytest
import yaml

from deploy.processes import COMMANDS
from shared.config import REPO_ROOT, SERVICE_NAMES

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SCHEMA_PATH = REPO_ROOT / ".cache" / "compose-spec.json"
PLATFORM = (*SERVICE_NAMES, "gateway", "paysim", "mail")


def test_the_compose_file_follows_the_compose_specification():
    assert SCHEMA_PATH.exists(), "run `make test` (it fetches the compose schema first)"
    # The schema declares draft 2019-09 (under a misspelt $schema URL).
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(COMPOSE), key=lambda error: list(error.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_the_schema_check_would_catch_a_mistake():
    schema = json.loads(SCHEMA_PATH.read_text())
    broken = {**COMPOSE, "services": {**COMPOSE["services"],
                                      "gateway": {**COMPOSE["services"]["gateway"],
                                                  "depends_on": {"members": {"condition": "up"}}}}}
    assert not jsonschema.Draft201909Validator(schema).is_valid(broken)


@pytest.mark.parametrize("name", PLATFORM)
def test_compose_runs_the_command_the_local_runner_runs(name):
    assert COMPOSE["services"][name]["command"] == COMMANDS[name]


def test_the_local_runner_starts_nothing_compose_does_not():
    assert set(COMMANDS) == set(PLATFORM) <= set(COMPOSE["services"])


@pytest.mark.parametrize("name", [*PLATFORM, "rabbitmq", "postgres"])
def test_every_container_has_a_health_check_and_a_restart_policy(name):
    service = COMPOSE["services"][name]
    assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert service["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_waits_for_a_healthy_broker_and_database_of_its_own(name):
    service = COMPOSE["services"][name]
    assert service["depends_on"] == {"rabbitmq": {"condition": "service_healthy"},
                                     "postgres": {"condition": "service_healthy"}}
    url = service["environment"][f"{name.upper()}_DATABASE_URL"]
    assert url.endswith(f"@postgres:5432/{name}")
    init_sql = (REPO_ROOT / "deploy" / "postgres" / "init-databases.sql").read_text()
    assert f"CREATE DATABASE {name};" in init_sql
    others = [key for key in service["environment"] if key.endswith("_DATABASE_URL")]
    assert others == [f"{name.upper()}_DATABASE_URL"], "a service reads only its own database"


def test_the_gateway_waits_for_every_service_and_publishes_the_only_api_port():
    gateway = COMPOSE["services"]["gateway"]
    assert {name: dep["condition"] for name, dep in gateway["depends_on"].items()} == {
        name: "service_healthy" for name in ("rabbitmq", *SERVICE_NAMES)}
    assert gateway["ports"] == ["${GATEWAY_PORT:-8000}:8000"]
    for name in SERVICE_NAMES + ("postgres",):
        assert "ports" not in COMPOSE["services"][name], f"{name} must stay unreachable"
    for name in ("rabbitmq", "prometheus"):  # operators' consoles, on this host only
        assert all(port.startswith("127.0.0.1:") for port in COMPOSE["services"][name]["ports"])


def test_paysim_and_funding_share_required_secrets_and_find_each_other():
    paysim = COMPOSE["services"]["paysim"]["environment"]
    funding = COMPOSE["services"]["funding"]["environment"]
    # The payer's browser opens paysim's pages: the one port besides the gateway's.
    assert COMPOSE["services"]["paysim"]["ports"] == ["${PAYSIM_PORT:-8100}:8100"]
    assert paysim["PAYSIM_BIND"] == "0.0.0.0:8100"
    assert paysim["PAYSIM_PUBLIC_URL"] == "${PAYMENT_PAGE_URL:-http://localhost:8100}"
    assert paysim["PAYSIM_WEBHOOK_URL"] == "http://gateway:8000/api/v1/payments/webhook"
    assert funding["PUBLIC_URL"] == "${PUBLIC_URL:-http://localhost:8000}"
    for paysim_name, funding_name in (("PAYSIM_API_KEY", "PAYMENT_API_KEY"),
                                      ("PAYSIM_WEBHOOK_SECRET", "PAYMENT_WEBHOOK_SECRET")):
        assert paysim[paysim_name] == f"${{{funding_name}}}"
        assert funding[funding_name].startswith(f"${{{funding_name}:?"), "required, no default"


def test_the_simulator_and_the_mail_catcher_come_only_with_the_demo_profile():
    for name, service in COMPOSE["services"].items():
        assert service.get("profiles") == (["demo"] if name in ("paysim", "mail") else None)
    # Outside the demo, the provider and the SMTP relay are the operator's to name.
    assert COMPOSE["services"]["funding"]["environment"]["PAYMENT_PROVIDER_URL"].startswith(
        "${PAYMENT_PROVIDER_URL:?")
    assert COMPOSE["services"]["notifications"]["environment"]["SMTP_HOST"].startswith(
        "${SMTP_HOST:?")


SECRET = re.compile(r"PASSWORD|SECRET|API_KEY")


def test_no_secret_has_a_default():
    """Every secret an environment variable, required where it is first named: compose
    refuses to start without it, whatever the profile."""
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    for variable, default in re.findall(r"\$\{(\w+):?-([^}]*)\}", text):
        assert not SECRET.search(variable) or default == "", variable
    for variable in ("RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "JWT_SECRET", "PAYMENT_API_KEY",
                     "PAYMENT_WEBHOOK_SECRET"):
        assert f"${{{variable}:?" in text, variable


def test_every_long_running_container_has_resource_limits():
    for name, service in COMPOSE["services"].items():
        limits = service["deploy"]["resources"]["limits"]
        assert limits["memory"] and limits["cpus"], name


def test_prometheus_scrapes_the_gateways_metrics():
    config = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["dns_sd_configs"] == [{"names": ["gateway"], "type": "A", "port": 8000,
                                      "refresh_interval": "30s"}]


def test_the_dockerfile_copies_what_the_commands_import():
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (\S+)", dockerfile, re.MULTILINE)
    for source in copied:
        assert (REPO_ROOT / source).exists(), source
    for package in ("shared", "services", "gateway", "deploy", "paysim"):
        assert package in copied
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    python = re.search(r"^ARG PYTHON_IMAGE=python:(\d+\.\d+)", dockerfile, re.MULTILINE).group(1)
    assert f'requires-python = ">={python}' in (REPO_ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_is_pinned_exactly(name):
    lines = [line for line in (REPO_ROOT / name).read_text().splitlines()
             if line and not line.startswith(("#", "-r "))]
    assert lines
    assert [line for line in lines if not re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.\-+]+", line)] == []


def test_the_image_installs_the_runtime_only():
    runtime = (REPO_ROOT / "requirements.txt").read_text().lower()
    assert "pytest" not in runtime and "schemathesis" not in runtime


CLUSTER = yaml.safe_load((REPO_ROOT / "deploy" / "compose" / "rabbitmq-cluster.yml").read_text())
RABBITMQ_NODES = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")


def test_the_cluster_override_follows_the_compose_specification():
    schema = json.loads(SCHEMA_PATH.read_text())
    errors = jsonschema.Draft201909Validator(schema).iter_errors(CLUSTER)
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_the_cluster_nodes_share_a_required_cookie_and_find_each_other():
    conf = (REPO_ROOT / "deploy" / "rabbitmq" / "cluster.conf").read_text()
    listed = re.findall(r"^cluster_formation\.classic_config\.nodes\.\d+ = rabbit@(\S+)$", conf,
                        re.MULTILINE)
    assert tuple(listed) == RABBITMQ_NODES
    for name in RABBITMQ_NODES:
        node = CLUSTER["services"][name]
        assert node["environment"]["RABBITMQ_ERLANG_COOKIE"].startswith(
            "${RABBITMQ_ERLANG_COOKIE:?"), name
        assert "./deploy/rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro" \
            in node["volumes"], name
    for name in RABBITMQ_NODES[1:]:
        node = CLUSTER["services"][name]
        assert node["hostname"] == name and node["restart"] == "unless-stopped"
        assert node["healthcheck"]["test"] == COMPOSE["services"]["rabbitmq"]["healthcheck"]["test"]
        assert node["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}
        assert node["deploy"]["resources"]["limits"]["memory"]


@pytest.mark.parametrize("name", [*SERVICE_NAMES, "gateway"])
def test_on_the_cluster_every_client_knows_the_three_nodes_and_declares_quorum_queues(name):
    service = CLUSTER["services"][name]
    assert service["environment"]["AMQP_QUEUE_TYPE"] == "quorum"
    assert service["environment"]["AMQP_URI"].split(";") == [
        f"amqp://dombinnov:${{RABBITMQ_PASSWORD}}@{node}:5672/" for node in RABBITMQ_NODES]
    assert set(service["depends_on"]) == set(RABBITMQ_NODES[1:])
