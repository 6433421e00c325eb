"""Every page in Urdu, for every role, has no English left in it (issue 23).

Rather than trust a list of pages, the test signs in as an applicant, a reviewer, an admin and a mobile
operator on a portal holding real data (a freelancer's application validated by the real worker, with findings, a
proven number, a batch, a clean lane offer and a batch made from it, a published whitelist), follows every link each
of them can see, and reads each page as a person does: its text and its labels (aria-label, title, placeholder,
alt). Whatever is in Latin letters must be an address, code or name kept left-to-right (<code>, <bdi>, dir="ltr")
or one of the few words Urdu readers know in Latin letters (IP, VPN, ISP, CNIC...).
"""
import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from app.services.isp_organisations import create_isp_user
from tests.applicant.conftest import PDF
from tests.conftest import PASSWORD
from tests.subscriptions.test_sms_codes import _backdate, _sent_code, _urls

# Kept in Latin letters in Urdu text: acronyms and names Pakistani users know that way.
LATIN_WORDS = {
    "raasta", "ip", "ips", "vpn", "vpns", "isp", "isps", "cnic", "ntn", "sms", "pdf", "csv", "json", "api", "pkt",
    "ipv4", "ipv6", "asn", "cidr", "url", "https", "http", "wireguard", "openvpn", "ipsec", "l2tp", "sstp", "jazz",
    "zong", "telenor", "ufone", "ptcl", "radius", "freeradius", "nftables", "ipset", "sha256", "etag", "jpeg", "png",
    "xlsx", "txt", "msisdn", "bras", "noc", "pta", "uan", "dpi", "cisco", "ios", "mikrotik", "routeros", "openapi",
    "cron", "pem", "ed25519",
    "secp", "pseb", "upwork", "fiverr", "nayatel", "utc", "ntp",
    "restore", "swap", "prefix-lists", "address-lists", "nft",  # the devices' own commands, as ISPs know them
    "test",  # the name the tests' `api` fixture gives its tokens: data, as a user would type it
}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*[A-Za-z0-9]")
# A value put into a translated sentence (app.i18n isolates it between FSI and PDI): an address, a name, a number;
# and what is an identifier rather than a word: a file name, an email or web address, a code (address.too_broad).
ISOLATED = re.compile("\u2068[^\u2069]*\u2069|\\S*\\w[._@/:]\\w\\S*")
KEPT_LTR = {"code", "pre", "bdi", "kbd", "samp", "script", "style", "svg", "textarea"}
LABELS = ("aria-label", "title", "placeholder", "alt")
URDU_PROFILE = {"kind": "freelancer", "name": "عائشہ خان", "cnic": "35202-7654321-2", "city": "ملتان",
                "isp_name": "PTCL", "isp_subscriber_id": "PTCL-42"}
URDU_PURPOSE = "بیرون ملک کلائنٹس کے لیے فری لانس کام"


class PageText(HTMLParser):
    """The words a person reads on a page, without what is kept left-to-right."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) kept left-to-right?
        self.words: list[str] = []
        self.links: list[str] = []

    @property
    def kept(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kept = (self.kept or tag in KEPT_LTR or attrs.get("dir") == "ltr" or attrs.get("translate") == "no"
                or attrs.get("lang", "ur") != "ur")  # "English" on the language switch is meant to be
        if not kept:
            self.words += [attrs[name] for name in LABELS if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.words.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag not in self.VOID:
            self.stack.append(kept)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.kept:
            self.words.append(data)


def english_in(html: str) -> tuple[list[str], list[str]]:
    """(the English words on the page, its links)."""
    reader = PageText()
    reader.feed(html)
    found = [word for text in reader.words for word in LATIN.findall(ISOLATED.sub(" ", text))
             if word.lower() not in LATIN_WORDS]
    return found, reader.links


def crawl(client, start: list[str], limit: int = 120) -> dict[str, list[str]]:
    """Every page reachable from `start` by following links (GET, same portal, no downloads): {path: English}.
    One page of each kind: /audit/?actor=1 stands for /audit/?actor=2 (same path, same arguments)."""
    seen, queue, english = set(), deque(start), {}
    while queue and len(seen) < limit:
        path = queue.popleft()
        target = urlsplit(path)
        kind = (target.path, tuple(sorted(name for name, _ in parse_qsl(target.query))))
        if kind in seen:
            continue
        seen.add(kind)
        response = client.get(path, buffered=True)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        assert '<html lang="ur" dir="rtl">' in html, path
        words, links = english_in(html)
        if words:
            english[path] = words
        for link in links:
            target = urlsplit(urljoin(path, link))
            if target.netloc or target.path.startswith(("/api/", "/static/")) or "lang=" in target.query:
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return english


def test_the_whole_portal_reads_in_urdu_for_every_role(app, db, client, api, applicant_with, make_user, login,
                                                       run_worker):
    freelancer = applicant_with(URDU_PROFILE)
    freelancer.user.language = "ur"  # chosen on the first page, as test_language_choice shows
    db.session.commit()

    def submitted(entries, subscriptions=(), submit=True, number="923001234567"):
        draft = freelancer.post("/api/v1/applications", json={
            "purpose": URDU_PURPOSE, "category": "freelancer_vpn", "entries": list(entries),
            "subscriptions": list(subscriptions)}).json
        for kind in ("cnic_front", "cnic_back"):
            freelancer.post(f"/api/v1/applications/{draft['id']}/documents",
                            data={"kind": kind, "file": (io.BytesIO(PDF + kind.encode()), f"{kind}.pdf")})
        if subscriptions:
            code_url, verify_url = _urls(draft)
            _backdate(db, 2)  # the account's last code a while ago: one a minute is all it may ask
            sent = freelancer.post(code_url)
            assert sent.status_code == 202, (draft, sent.json)
            freelancer.post(verify_url, json={"code": _sent_code(app, run_worker, number)})
        if submit:
            assert freelancer.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202, draft
        return draft

    approved = submitted(["39.32.4.0/24"], [{"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}])
    submitted(["10.0.0.0/8", "39.32.4.128/25"])  # private space and an overlap: findings to read
    draft = submitted(["39.40.0.0/24"], submit=False)
    # Two clean applications (a number Jazz confirms, documents complete, no warning): one batched from the clean
    # lane, one still offered there.
    clean = [submitted([], [{"kind": "mobile", "operator": "Jazz", "identifier": f"0301-765432{n}"}],
                       number=f"92301765432{n}") for n in (1, 2)]
    run_worker()

    maker, checker = make_user("reviewer", name="حسن علی"), make_user("reviewer", name="زینب بی بی")
    admin = make_user("admin", name="منتظم")
    operator = create_isp_user("noc@jazz.example.pk", PASSWORD, "Jazz", name="جاز این او سی")
    db.session.commit()
    emails = [user.email for user in (freelancer.user, maker, admin, operator)]
    for application in clean:
        assert api(operator).post(f"/api/v1/isp/confirmations/{application['id']}",
                                  json={"answer": "confirm"}).status_code == 200
    lane = api(maker).get("/api/v1/review/clean-lane").json
    assert [offer["application_ids"] for offer in lane["offers"]] == [[a["id"] for a in clean]], lane
    assert api(maker).post("/api/v1/review/clean-lane", json={"application_ids": [clean[0]["id"]]}).status_code == 201
    batch = api(maker).post("/api/v1/batches", json={"application_ids": [approved["id"]]}).json
    api(checker).post(f"/api/v1/batches/{batch['id']}/approve")
    run_worker()

    left = {}
    starts = (["/applications", f"/applications/{draft['id']}/edit", "/profile"], ["/dashboard", "/review"],
              ["/dashboard"], ["/isp"])
    for email, start in zip(emails, starts):
        browser = app.test_client()
        assert browser.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
        browser.get("/?lang=ur")
        left.update({f"{email} {path}": words for path, words in crawl(browser, start).items()})
    visitor = app.test_client()
    visitor.get("/?lang=ur")
    left.update({f"visitor {path}": words for path, words in crawl(visitor, ["/", "/sign-in", "/sign-up"]).items()})
    assert not left, "English left on Urdu pages:\n" + "\n".join(
        f"{page}: {' '.join(words[:25])}" for page, words in sorted(left.items()))
