"""The mixed load's clients (bench/bench_load.py): applicants, ISPs and reviewers as small state machines, stepped
by a bounded pool of threads, each thread with one keep-alive connection to the balancer.

Every request is one Sample: its kind, when it started and ended, its status (0: no answer at all, e.g. a
connection reset by a killed host) and whether the status was one the step expects. A user never sleeps in a
thread: a step sends one request (a reviewer's round, a few) and says when it wants the next.
"""
import hashlib
import heapq
import http.client
import io
import itertools
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # tests/applicant/conftest.py's valid document
IDLE_S = 8.0  # a connection idle this long is not reused: HAProxy closes idle client connections after 10 s
RETRY_S = 3.0  # a step whose request failed is tried again this much later
BATCH_SIZE = 10  # ready applications a reviewer batches at once
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(slots=True)
class Sample:
    group: str  # applicant | isp | reviewer
    kind: str
    start: float  # time.monotonic()
    end: float
    status: int  # 0: no answer
    ok: bool


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    ok: bool

    def json(self):
        return json.loads(self.body)


class Client:
    """HTTP to the balancer for the pool's threads: one keep-alive connection each, opened again when the last one
    failed, was closed by the server, or sat idle past HAProxy's keep-alive timeout."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.samples: list[Sample] = []
        self.checks = {"sha256 = ETag": 0, "sha256 != ETag": 0}
        self._local = threading.local()
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        connection, used = getattr(self._local, "connection", None), getattr(self._local, "used", 0.0)
        if connection is not None and time.monotonic() - used > IDLE_S:
            connection.close()
            connection = None
        if connection is None:
            connection = self._local.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return connection

    def request(self, group: str, kind, method: str, path: str, headers: dict | None = None,
                body: bytes | None = None, expect=(200,)) -> Answer | None:
        """One request; None when no answer came. `kind` may be a function of the status (an ISP's 200 or 304)."""
        connection = self._connection()
        start = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.connection = None
            self._record(group, kind(0) if callable(kind) else kind, start, 0, False)
            return None
        self._local.used = time.monotonic()
        if response.will_close:
            connection.close()
            self._local.connection = None
        ok = response.status in expect
        self._record(group, kind(response.status) if callable(kind) else kind, start, response.status, ok)
        return Answer(response.status, response.headers, data, ok)

    def _record(self, group: str, kind: str, start: float, status: int, ok: bool) -> None:
        with self._lock:
            self.samples.append(Sample(group, kind, start, time.monotonic(), status, ok))

    def count(self, check: str) -> None:
        with self._lock:
            self.checks[check] += 1


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, by werkzeug's encoder (Flask's test client uses it); `files`:
    name -> (filename, bytes of a PDF)."""
    boundary, body = encode_multipart({**fields, **{
        name: FileStorage(io.BytesIO(content), filename=filename, content_type="application/pdf")
        for name, (filename, content) in files.items()}})
    return body, f"multipart/form-data; boundary={boundary}"


class Session:
    """A browser's cookies and the last page's CSRF token: the signed session cookie any host accepts."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def headers(self, extra: dict | None = None) -> dict:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep(self, answer: Answer | None) -> Answer | None:
        if answer is not None:
            for value in answer.headers.get_all("Set-Cookie") or ():
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            found = CSRF.search(answer.body.decode(errors="replace")) if answer.ok else None
            if found:
                self.csrf = found.group(1)
        return answer

    def form(self, fields: dict) -> tuple[bytes, dict]:
        return urlencode({"csrf_token": self.csrf, **fields}).encode(), \
            self.headers({"Content-Type": "application/x-www-form-urlencoded"})


def application_body(entry: str, n: int) -> dict:
    return {"purpose": f"Office VPN to our client abroad ({n})", "category": "company_vpn", "entries": [entry],
            "endpoints": [{"host": f"vpn{n}.client.example.com", "protocol": "wireguard", "port": 51820}]}


def document(n: int) -> bytes:
    """A valid PDF of this applicant's own: a document reused across applicants is a finding."""
    return PDF + f"% load applicant {n} {uuid.uuid4().hex}\n".encode()


@dataclass
class Applicant:
    """Through the API with a token: create, upload, submit, then poll every `poll_s`."""
    n: int
    token: str
    entry: str
    poll_s: float
    stage: str = "create"
    application_id: int | None = None
    submitted: list = field(default_factory=list)  # shared: ids whose submit was answered 202
    group = "applicant"

    def _auth(self, extra: dict | None = None) -> dict:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def step(self, client: Client) -> float | None:
        if self.stage == "create":
            answer = client.request(self.group, "create (API)", "POST", "/api/v1/applications",
                                    self._auth({"Content-Type": "application/json"}),
                                    json.dumps(application_body(self.entry, self.n)).encode(), (201,))
            if answer is None or not answer.ok:
                return RETRY_S
            self.application_id, self.stage = answer.json()["id"], "upload"
            return 0
        url = f"/api/v1/applications/{self.application_id}"
        if self.stage == "upload":
            body, content_type = multipart({"kind": "ntn_certificate"}, {"file": (f"ntn-{self.n}.pdf", document(self.n))})
            answer = client.request(self.group, "upload (API)", "POST", f"{url}/documents",
                                    self._auth({"Content-Type": content_type}), body, (201,))
            self.stage = "submit" if answer is not None and answer.ok else "upload"
            return 0 if self.stage == "submit" else RETRY_S
        if self.stage == "submit":
            answer = client.request(self.group, "submit (API)", "POST", f"{url}/submit", self._auth(), b"", (202,))
            if answer is not None and answer.ok:
                self.submitted.append(self.application_id)
                self.stage = "poll"
                return self.poll_s
            self.stage = "check"  # the submit may have committed before its answer was lost
            return RETRY_S
        answer = client.request(self.group, "poll (API)", "GET", url, self._auth())
        if self.stage == "check" and answer is not None and answer.ok:
            self.stage = "submit" if answer.json()["state"] == "draft" else "poll"
            if self.stage == "poll":
                self.submitted.append(self.application_id)
            return 0
        return self.poll_s


@dataclass
class WebApplicant:
    """Through the pages, as a browser: sign in, the new-application form, upload, submit, poll status.json."""
    n: int
    email: str
    password: str
    entry: str
    poll_s: float
    stage: str = "sign-in page"
    application_id: int | None = None
    form_path: str = ""
    session: Session = field(default_factory=Session)
    submitted: list = field(default_factory=list)
    group = "applicant"

    def _get(self, client: Client, kind: str, path: str, expect=(200,)) -> Answer | None:
        return self.session.keep(client.request(self.group, kind, "GET", path, self.session.headers(), None, expect))

    def _post(self, client: Client, kind: str, path: str, body: bytes, headers: dict, expect=(302,)) -> Answer | None:
        return self.session.keep(client.request(self.group, kind, "POST", path, headers, body, expect))

    def step(self, client: Client) -> float | None:  # noqa: C901 - one branch per page, in order
        stage = self.stage
        if stage == "sign-in page":
            answer = self._get(client, "sign-in page (web)", "/sign-in")
            self.stage = "sign in" if answer is not None and answer.ok else stage
        elif stage == "sign in":
            body, headers = self.session.form({"email": self.email, "password": self.password})
            answer = self._post(client, "sign in (web)", "/sign-in", body, headers)
            self.stage = "new form" if answer is not None and answer.ok else "sign-in page"
        elif stage == "new form":  # the form's address carries a key of its own: a redirect, then the form
            answer = self._get(client, "new application form (web)", "/applications/new", (302,))
            if answer is not None and answer.ok:
                self.form_path = urlsplit(answer.headers["Location"])._replace(scheme="", netloc="").geturl()
                answer = self._get(client, "new application form (web)", self.form_path)
            self.stage = "create" if answer is not None and answer.ok else stage
        elif stage == "create":
            application = application_body(self.entry, self.n)
            endpoint = application["endpoints"][0]
            body, headers = self.session.form({
                "purpose": application["purpose"], "category": application["category"], "entries": self.entry,
                "endpoints-0-host": endpoint["host"], "endpoints-0-protocol": endpoint["protocol"],
                "endpoints-0-port": str(endpoint["port"]), "endpoints-0-peer": "Client GmbH"})
            answer = self._post(client, "create (web)", self.form_path, body, headers)
            found = re.search(r"/applications/(\d+)", answer.headers.get("Location", "")) if answer and answer.ok else None
            if found:
                self.application_id, self.stage = int(found.group(1)), "page"
        elif stage == "page":
            answer = self._get(client, "application page (web)", f"/applications/{self.application_id}")
            self.stage = "upload" if answer is not None and answer.ok else stage
        elif stage == "upload":
            body, content_type = multipart({"csrf_token": self.session.csrf, "kind": "ntn_certificate"},
                                           {"file": (f"ntn-{self.n}.pdf", document(self.n))})
            answer = self._post(client, "upload (web)", f"/applications/{self.application_id}/documents", body,
                                self.session.headers({"Content-Type": content_type}))
            self.stage = "submit" if answer is not None and answer.ok else "page"
        elif stage == "submit":
            body, headers = self.session.form({})
            self._post(client, "submit (web)", f"/applications/{self.application_id}/submit", body, headers)
            self.stage = "check"  # the page's redirect says nothing of the outcome: status.json does
            return 0
        else:  # check (did the submit take?) and poll
            answer = self._get(client, "status.json poll (web)", f"/applications/{self.application_id}/status.json")
            if stage == "check" and answer is not None and answer.ok:
                if answer.json()["state"] == "draft":
                    self.stage = "page"
                    return RETRY_S
                self.submitted.append(self.application_id)
                self.stage = "poll"
            return self.poll_s
        return 0 if self.stage != stage else RETRY_S


@dataclass
class Isp:
    """Polls latest.txt with If-None-Match every second; on a 200, checks that the body's sha256 is the ETag."""
    token: str
    etag: str | None = None
    group = "isp"

    def step(self, client: Client) -> float | None:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        answer = client.request(self.group, lambda status: f"latest.txt {status or 'no answer'}", "GET",
                                "/api/v1/whitelist/latest.txt", headers, None, (200, 304))
        if answer is not None and answer.status == 200:
            etag = answer.headers["ETag"]
            client.count("sha256 = ETag" if etag.strip('"') == hashlib.sha256(answer.body).hexdigest()
                         else "sha256 != ETag")
            self.etag = etag
        return 1.0


@dataclass
class Reviewer:
    """Signs in to the pages, then each round: the queue page, the API queue of ready applications, a batch of
    those whose id falls to this reviewer (maker), and the pending batches the previous reviewer made (checker).
    Splitting the work so keeps two reviewers off the same application: no 409 from the bench itself."""
    index: int
    count: int
    email: str
    maker_email: str  # whose batches this one checks
    token: str
    password: str
    round_s: float
    stage: str = "sign-in page"
    session: Session = field(default_factory=Session)
    approved: list = field(default_factory=list)  # shared: (batch id, serial) answered 200
    made: list = field(default_factory=list)  # shared: batch ids answered 201
    group = "reviewer"

    def _api(self, client: Client, kind: str, method: str, path: str, body: dict | None = None, expect=(200,)):
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            headers["Content-Type"], data = "application/json", json.dumps(body).encode()
        return client.request(self.group, kind, method, path, headers, data, expect)

    def step(self, client: Client) -> float | None:
        if self.stage == "sign-in page":
            answer = self.session.keep(client.request(self.group, "sign-in page (web)", "GET", "/sign-in",
                                                      self.session.headers()))
            self.stage = "sign in" if answer is not None and answer.ok else self.stage
            return 0 if self.stage == "sign in" else RETRY_S
        if self.stage == "sign in":
            body, headers = self.session.form({"email": self.email, "password": self.password})
            answer = self.session.keep(client.request(self.group, "sign in (web)", "POST", "/sign-in", headers, body,
                                                      (302,)))
            self.stage = "rounds" if answer is not None and answer.ok else "sign-in page"
            return 0 if self.stage == "rounds" else RETRY_S
        client.request(self.group, "queue page (web)", "GET", "/review/", self.session.headers())
        queue = self._api(client, "queue (API)", "GET", "/api/v1/review/queue?state=ready&batched=no&limit=200")
        if queue is not None and queue.ok:
            mine = [row["id"] for row in queue.json()["applications"] if row["id"] % self.count == self.index]
            if mine:
                made = self._api(client, "make batch (API)", "POST", "/api/v1/batches",
                                 {"application_ids": mine[:BATCH_SIZE]}, (201,))
                if made is not None and made.ok:
                    self.made.append(made.json()["id"])
        pending = self._api(client, "batches (API)", "GET", "/api/v1/batches?state=pending_approval")
        if pending is not None and pending.ok:
            for batch in pending.json()["batches"]:
                if batch["made_by"]["email"] == self.maker_email:
                    approved = self._api(client, "approve (API)", "POST", f"/api/v1/batches/{batch['id']}/approve")
                    if approved is not None and approved.ok:
                        self.approved.append((batch["id"], approved.json()["whitelist_serial"]))
        return self.round_s


class Pool:
    """`threads` threads step the users when each is due, until `until` (monotonic); a step still running then
    finishes. `lags` holds how late each step started: the client's own queueing, which must stay small for the
    latencies to be the portal's."""

    def __init__(self, client: Client, threads: int, until: float):
        self.client, self.threads, self.until = client, threads, until
        self._heap: list = []
        self._order = itertools.count()
        self._due = threading.Condition()
        self.lags: list[float] = []

    def add(self, user, at: float) -> None:
        with self._due:
            heapq.heappush(self._heap, (at, next(self._order), user))
            self._due.notify()

    def _next(self):
        with self._due:
            while True:
                now = time.monotonic()
                if now >= self.until:
                    return None
                if self._heap and self._heap[0][0] <= now:
                    at, _, user = heapq.heappop(self._heap)
                    self.lags.append(now - at)
                    return user
                wait = (self._heap[0][0] if self._heap else self.until) - now
                self._due.wait(min(wait, self.until - now))

    def _work(self) -> None:
        while (user := self._next()) is not None:
            try:
                delay = user.step(self.client)
            except Exception as exc:  # a bench bug must not stop the load silently: count it, go on
                print(f"load: {type(user).__name__} step failed: {exc!r}", flush=True)
                delay = RETRY_S
            if delay is not None:
                self.add(user, time.monotonic() + delay)

    def run(self) -> None:
        workers = [threading.Thread(target=self._work, name=f"load-{n}", daemon=True) for n in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
