"""Access to Redis and the RQ queues, bound to the app's REDIS_URL."""
from flask import Flask, current_app
from redis import Redis
from rq import Queue

VALIDATION = "validation"
DEFAULT = "default"
ALL_QUEUES = (VALIDATION, DEFAULT)  # the order a worker listens in: validation first


class QueueAccess:
    """One Redis connection per app; queues are cheap views on it."""

    def init_app(self, app: Flask) -> None:
        app.extensions["raasta.redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=5, socket_timeout=30
        )

    @property
    def connection(self) -> Redis:
        return current_app.extensions["raasta.redis"]

    def queue(self, name: str = DEFAULT) -> Queue:
        return Queue(name, connection=self.connection)
