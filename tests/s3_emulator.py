"""An S3 emulator for the S3 document store's tests: moto's server, a real HTTP service on a free loopback port,
so boto3 signs, sends and streams real requests. Each test gets a bucket of its own; the emulator forgets them
all after it.

The server runs as a process of its own, not as moto's ThreadedMotoServer inside the test process: a test
that measures how much memory a download holds (tracemalloc) would count the emulator's copy of the file too.
"""
import itertools
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "raasta-test", "AWS_SECRET_ACCESS_KEY": "raasta-test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}
_buckets = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answering(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2).close()
    except (urllib.error.URLError, OSError):
        return False
    return True


@pytest.fixture(scope="session")
def s3_emulator():
    """The emulator's URL, for S3_ENDPOINT_URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _answering(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the S3 emulator (moto's server) did not start on {url}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class S3Store:
    bucket: str
    prefix: str
    endpoint: str
    client: object  # boto3's, to look at (and tamper with) the bucket behind the store's back
    env: dict  # for a CLI or worker process: DOCUMENT_STORE, S3_ENDPOINT_URL and the credentials

    def key(self, sha256: str) -> str:
        return f"{self.prefix}/{sha256[:2]}/{sha256}"

    def keys(self) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])]

    def read(self, sha256: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()

    def write(self, sha256: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=content)


@pytest.fixture
def s3_store(app, s3_emulator, monkeypatch):
    """The app's documents in a fresh bucket of the emulator (DOCUMENT_STORE=s3://raasta-test-N/documents)."""
    import boto3  # here, not at the top: most test runs never use it

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket, prefix = f"raasta-test-{next(_buckets)}", "documents"
    client = boto3.session.Session().client("s3", endpoint_url=s3_emulator)
    client.create_bucket(Bucket=bucket)
    setting = f"s3://{bucket}/{prefix}"
    app.config.update(DOCUMENT_STORE=setting, S3_ENDPOINT_URL=s3_emulator)
    yield S3Store(bucket, prefix, s3_emulator, client,
                  {**CREDENTIALS, "DOCUMENT_STORE": setting, "S3_ENDPOINT_URL": s3_emulator})
    # The emulator keeps objects in memory, and a test's 9 MB files add up.
    urllib.request.urlopen(urllib.request.Request(f"{s3_emulator}/moto-api/reset", method="POST"), timeout=30)
