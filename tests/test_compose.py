"""docker-compose.yml stays consistent with the code (no Docker engine here to run it)."""

import importlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_every_process_of_the_design() -> None:
    assert set(COMPOSE["services"]) == {
        "postgres",
        "migrate",
        "rompslomp_sandbox",
        "simon_api",
        "sync_worker",
    }


def test_every_compose_command_points_at_an_app_factory_that_exists() -> None:
    for name, service in COMPOSE["services"].items():
        command = service.get("command", [])
        if "--factory" in command:
            module, _, factory = command[command.index("--factory") + 1].partition(":")
            assert callable(getattr(importlib.import_module(module), factory)), name


def test_compose_ports_are_the_documented_ones() -> None:
    ports = {n: s.get("ports", []) for n, s in COMPOSE["services"].items()}
    assert ports["simon_api"] == ["8000:8000"]
    assert ports["sync_worker"] == ["8100:8100"]
    assert ports["rompslomp_sandbox"] == ["8300:8300"]


def test_the_services_wait_for_the_migrations() -> None:
    for name in ("simon_api", "sync_worker"):
        condition = COMPOSE["services"][name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_compose_ships_no_secret() -> None:
    """Secrets come from the operator's .env: `${NAME:?…}` refuses to start without them."""
    text = (ROOT / "docker-compose.yml").read_text()
    app_env = COMPOSE["x-app"]["environment"]
    assert "${TOKEN_ENCRYPTION_KEY:?" in app_env["TOKEN_ENCRYPTION_KEY"]
    assert (
        "${POSTGRES_PASSWORD:?"
        in COMPOSE["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    )
    assert "${POSTGRES_PASSWORD:?" in app_env["DATABASE_URL"]
    assert ":-" not in text  # no default value may stand in for a secret
