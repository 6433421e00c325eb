"""Racing requests for the tests that check "of two racing changes exactly one wins".

Each call runs in its own thread, released together by a barrier. `at_once` runs callables that share the
test's app (enough where each request opens its own database session); `at_once_through_own_apps` gives each
request its own app, so its own engine and connections: real concurrent transactions against one database.
"""
import threading
from dataclasses import dataclass
from typing import Any, Callable

from app import create_app
from app.config import TestConfig

JOIN_SECONDS = 120


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    return results


@dataclass(frozen=True)
class ApiCall:
    """One API request made with a bearer token."""

    method: str
    url: str
    token: str
    json: dict | None = None


def at_once_through_own_apps(app, calls: list[ApiCall]) -> list[int]:
    """Send the API calls at the same moment, each through an app of its own; their status codes in order."""
    apps = [create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                  REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=app.config["INSTANCE_DIR"]))
            for _ in calls]
    clients = [own.test_client() for own in apps]

    def send(client, call: ApiCall):
        return lambda: getattr(client, call.method)(call.url, json=call.json,
                                                    headers={"Authorization": f"Bearer {call.token}"}).status_code

    try:
        return at_once([send(client, call) for client, call in zip(clients, calls)])
    finally:
        for own in apps:
            with own.app_context():
                own.extensions["sqlalchemy"].engines[None].dispose()
