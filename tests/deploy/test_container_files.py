"""No Docker engine runs here, so check that the compose services and the image run real commands."""
import re
import subprocess
import sys

from app.config import REPO_ROOT

COMPOSE = (REPO_ROOT / "docker-compose.yml").read_text()
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def test_compose_runs_the_web_worker_and_migrations():
    assert '["python", "worker.py"]' in COMPOSE and (REPO_ROOT / "worker.py").exists()
    assert '["flask", "--app", "app", "db", "upgrade"]' in COMPOSE
    assert '"app.runtime.web_server"' in COMPOSE and "app.runtime.web_server" in DOCKERFILE
    for service in ("web", "worker", "migrate", "postgres", "redis"):
        assert re.search(rf"^  {service}:$", COMPOSE, re.M), service


def test_the_commands_they_name_exist(monkeypatch, tmp_path):
    """`flask db upgrade` is a registered command and the web server's module takes the options they pass."""
    monkeypatch.setenv("RAASTA_INSTANCE_DIR", str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade", "--help"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Upgrade to a later version" in result.stdout
    served = subprocess.run([sys.executable, "-m", "app.runtime.web_server", "--help"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert served.returncode == 0 and "--bind" in served.stdout and "--processes" in served.stdout


def test_dockerfile_copies_what_exists_and_runs_unprivileged():
    for path in re.findall(r"^COPY (?:--chown=\S+ )?(\S+) ", DOCKERFILE, re.M):
        assert (REPO_ROOT / path).exists(), path
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.M)
    assert "python:3.11-slim" in DOCKERFILE


def test_the_image_carries_the_sync_script_the_isp_page_serves():
    from app.web.isp.routes import SYNC_SCRIPT

    folder = SYNC_SCRIPT.relative_to(REPO_ROOT).parent.as_posix()
    assert re.search(rf"^COPY (?:--chown=\S+ )?{re.escape(folder)} \./{re.escape(folder)}$", DOCKERFILE, re.M)
