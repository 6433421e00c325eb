"""The references bench_publication.py measures the portal against, served by the production web
server (app/runtime/web_server.py, same processes, threads and access log): a bare Flask view
answering 304, and the same whitelist body sent from a static file.

    BENCH_ETAG='"<sha256>"' BENCH_STATIC=/folder/with/latest.txt python bench/publication_reference.py --bind HOST:PORT
"""
import os
import sys
from pathlib import Path

from flask import Flask, Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def create_app() -> Flask:
    app = Flask(__name__, static_folder=os.environ["BENCH_STATIC"], static_url_path="/static")
    # The web server reads its request size caps and proxy setting from here (as it does from the portal's Config;
    # tests/whitelist/test_bench_publication.py fails when it reads one more).
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024, MAX_DOCUMENT_BYTES=1024 * 1024,
                      MAX_REQUEST_BODY_BYTES=2 * 1024 * 1024, TRUSTED_PROXY=None)
    headers = {"ETag": os.environ["BENCH_ETAG"], "X-Whitelist-Serial": "1", "Cache-Control": "private, max-age=60"}

    @app.get("/api/v1/whitelist/latest.txt")
    def not_modified():
        return Response(status=304, headers=headers)

    return app


if __name__ == "__main__":
    import app as portal
    from app.runtime import web_server

    portal.create_app = create_app  # what each forked server process builds and serves
    sys.exit(web_server.main())
