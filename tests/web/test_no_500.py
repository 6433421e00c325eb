"""No input makes the portal answer 5xx (the contract's promise; the hostile tester saw 65).

Every route in app.url_map is sent hostile path values, hostile query arguments and hostile bodies,
by an anonymous visitor and by a signed-in user of each role (session and bearer token).
"""
import re

import pytest

from app.choices import Role

HUGE = str(2**63)
PATH_VALUES = {"int": [HUGE, str(2**31), "0"], "default": ["%00", "..%2F..", "x" * 3000, "%ED%A0%80", "latest.txt"]}
QUERY = {"page": "1" + "0" * 30, "until": "9999-12-31", "since": "0000-00-00", "_method": "POST", "_external": "1",
         "fmt": "csv", "cursor": "!!not-a-cursor!!", "limit": "-1", "state": "<script>", "address": "999.1.1.1",
         "older_than_days": "9" * 12, "from": "x", "to": "9" * 30, "q": "%", "after_id": HUGE, "serial": HUGE,
         "format": "exe", "flag": "'; drop table users; --", "kind": "\u202e", "has_overrides": "maybe"}
# Raw bytes: a NUL, an encoded lone surrogate, a 100 kB reason, ids that are not numbers.
FORM = (b"name=a%00b&email=%ED%A0%80%40example.pk&reason=" + b"x" * 100_000 +
        b"&csrf_token=bogus&application_ids=not-a-number&entries=" + b"1.2.3%0A" * 1000)
DEEP_JSON = "[" * 1000 + "]" * 1000


def _urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "health.healthz"):  # /healthz answers 503 by design without a worker
            continue
        names = re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)
        variants = [{}]
        for converter, name in names:
            values = PATH_VALUES.get(converter or "default", PATH_VALUES["default"])
            variants = [{**v, name: value} for v in variants for value in values[:2]]
        for values in variants:
            url = rule.rule
            for converter, name in names:
                url = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", values[name], url)
            yield url, sorted(rule.methods - {"HEAD", "OPTIONS"})


@pytest.fixture
def callers(client, make_user, login, api, app):
    """(label, client-like object) for anonymous, each role's session and each role's token."""
    from tests.conftest import RequestContextClient

    out = [("anonymous", client)]
    for role in Role.ALL:
        user = make_user(role=role)
        session = app.test_client()
        assert isinstance(session, RequestContextClient)
        session.post("/sign-in", data={"email": user.email, "password": "correct horse battery staple"})
        out.append((f"{role} session", session))
        out.append((f"{role} token", api(user)))
    return out


def test_no_route_answers_5xx_to_hostile_input(app, callers):
    failures = []
    for url, methods in _urls(app):
        for label, caller in callers:
            for method in methods:
                calls = [("query", dict(query_string=QUERY))]
                if method != "GET":
                    calls += [("form", dict(data=FORM, content_type="application/x-www-form-urlencoded")),
                              ("deep json", dict(data=DEEP_JSON, content_type="application/json")),
                              ("nul json", dict(data=b'{"reason": "a\\u0000b", "entries": ["\\ud800"], "x": {"y": [1]}}',
                                            content_type="application/json"))]
                for what, kwargs in calls:
                    response = getattr(caller, method.lower())(url, **kwargs)
                    if response.status_code >= 500:
                        failures.append(f"{method} {url[:80]} as {label} with {what}: {response.status_code}")
    assert failures == [], "\n".join(failures)
