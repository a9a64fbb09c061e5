"""The container files describe the topology the process layout runs (tests/e2e/test_deploy_processes).

No container engine runs on these machines, so compose.yaml and the Dockerfile cannot be built
here; these checks hold them to what the process-layout test proves: the same proxy template, a
migration step before any replica, replicas without jobs, one worker with them, an ordinary
database role, a non-root image whose entrypoint is the CLI, and every setting from the
environment (no secret written in the files).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def test_compose_has_the_documented_services() -> None:
    services = _compose()["services"]
    assert {"postgres", "migrate", "api1", "api2", "worker", "proxy"} <= set(services)
    assert services["migrate"]["command"] == ["migrate"]
    for api in ("api1", "api2"):
        svc = services[api]
        assert svc["command"][0] == "serve" and "--no-migrate" in svc["command"]
        assert svc["environment"]["CALLPLANE_JOBS_ENABLED"] == "false"
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["environment"]["CALLPLANE_JOBS_ENABLED"] == "true"
    assert (
        services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    )


def test_the_proxy_is_the_process_layouts_template_with_tls() -> None:
    proxy = _compose()["services"]["proxy"]
    mounts = proxy["volumes"]
    assert any(m.startswith("./deploy/nginx/callplane.conf.template:") for m in mounts)
    template = (ROOT / "deploy" / "nginx" / "callplane.conf.template").read_text()
    assert "ssl_certificate" in template and " ssl;" in template
    # Only CALLPLANE_* variables are substituted; nginx's own $variables stay as they are.
    assert proxy["environment"]["NGINX_ENVSUBST_FILTER"] == "^CALLPLANE_"
    placeholders = set(re.findall(r"\$\{(\w+)\}", template))
    assert placeholders <= set(proxy["environment"]), placeholders
    stack = (ROOT / "deploy" / "processes" / "callplane-stack").read_text()
    for name in placeholders:
        assert name in stack, f"the process layout does not set {name}"


def test_settings_come_from_the_environment_and_no_secret_is_written() -> None:
    services = _compose()["services"]
    for name in ("migrate", "api1", "worker"):
        env = services[name]["environment"]
        for key in (
            "CALLPLANE_DATABASE_URL",
            "CALLPLANE_ENCRYPTION_KEYS",
            "CALLPLANE_TWILIO_AUTH_TOKEN",
            "CALLPLANE_PUBLIC_BASE_URL",
        ):
            assert "${" in env[key], (name, key, env[key])


def test_the_database_role_is_ordinary() -> None:
    init = (ROOT / "deploy" / "postgres" / "10-callplane-role.sh").read_text()
    assert "NOSUPERUSER NOBYPASSRLS" in init
    url = _compose()["x-callplane-env"]["CALLPLANE_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://callplane:")


def test_the_image_is_slim_non_root_with_the_cli_as_entrypoint() -> None:
    docker = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", docker, re.MULTILINE)
    assert bases and all(b.endswith("-slim") for b in bases), bases
    users = re.findall(r"^USER (\S+)", docker, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), users
    assert '\nENTRYPOINT ["callplane"]' in docker
