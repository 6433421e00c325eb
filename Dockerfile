# Production image: the same commands as `make run`, with PostgreSQL and Redis from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    RAASTA_INSTANCE_DIR=/var/lib/raasta PORT=8000 WEB_CONCURRENCY=4
WORKDIR /srv/raasta

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
 && useradd --system --home /srv/raasta --uid 10001 raasta \
 && mkdir -p /var/lib/raasta && chown raasta /var/lib/raasta

COPY --chown=raasta app ./app
COPY --chown=raasta migrations ./migrations
COPY --chown=raasta templates ./templates
COPY --chown=raasta docs/isp ./docs/isp
COPY --chown=raasta worker.py ./
RUN pybabel compile -d app/translations

USER raasta
EXPOSE 8000
# Migrations run once, as their own step (`docker compose run --rm web flask --app app db upgrade`),
# never inside each web process. The web server buffers whole requests (slow clients hold no thread),
# so it can face the network directly; WEB_CONCURRENCY processes share one socket.
CMD ["sh", "-c", "exec python -m app.runtime.web_server --bind 0.0.0.0:${PORT}"]
