"""The reviewers' queue: open applications, the decision due soonest first, filtered, in keyset pages.

Suspended applications come before the rest (URGENT_STATES: an ISP disputed an approval, and the applicant
is out of the whitelist until a reviewer decides); each part is in the order asked (?sort=): by the decision
clock's due time, soonest (most late) first, the default; or oldest submission first (?sort=submitted). Rows
without a due time (submitted before the clock, if any) follow the dated rows, in the order they were made.
Suspended ones are always oldest submission first. Pages are keyset, not OFFSET: the cursor is the part and the (sort key, id) of the last row shown, and
the next page is the rows after it in ix_applications_due (or ix_applications_queue) order, so page 500 costs
what page 1 costs. A page is five queries whatever its
length (one more where it crosses from one part to the next: by due time, the parts without a due time are
short index lookups that are usually empty): the rows, then the page's entries, findings,
override counts and pending batches by application (plus one short lookup for a ?address= or ?batched=
filter, two for a ?q=: applicants, and subscriptions). The address
search uses AddressEntry.size_class: entries of class c that overlap [a, b] start in
[a - 2**c + 1, b], one short index range per class.

An application in a batch awaiting approval waits for the checker, not for a maker: the queue shows it
with its batch but never offers it for batching again (matching_ids leaves it out), and the counts
keep it apart from ready and flagged.
"""
import base64
import binascii
import json
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

from sqlalchemy import (
    and_,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union,
)

from app.addresses import AddressRange, EntryError, parse_entry
from app.addresses.ranges import BITS
from app.choices import (
    ApplicantKind,
    BatchState,
    Category,
    ConfirmationState,
    FindingCode,
    Severity,
    State,
)
from app.extensions import db
from app.i18n import _, ngettext
from app.models import (
    AddressEntry,
    ApplicantProfile,
    Application,
    Batch,
    Finding,
    IspConfirmation,
    Override,
    Subscription,
    User,
    batch_applications,
)
from app.models.types import UTCDateTime, utcnow
from app.services import ServiceError
from app.services.decision_clock import is_late
from app.services.id_lists import among
from app.services.pakistani_numbers import NotAMobileNumber, mobile_e164
from app.services.review.decisions import pending_batch_ids

# What the queue shows without a state filter: everything waiting on the regulator or stuck on the way.
QUEUE_STATES = (State.SUSPENDED, State.READY, State.FLAGGED, State.NEEDS_INFO, State.VALIDATION_FAILED)
# Shown before the rest, whatever their age.
URGENT_STATES = (State.SUSPENDED,)
NO_CONFIRMATION = "none"  # ?confirmation=none: no ISP on Raasta was asked
CONFIRMATIONS = ConfirmationState.ALL + (NO_CONFIRMATION,)
MAX_LIMIT = 200
INLINE_IDS = 2_000  # applicants (q=) or applications (address=) found first, then listed in the query
BATCHED = "batched"  # state_counts()' key for applications in a batch awaiting approval
# ?registration=: applications with address entries, or with subscriptions (one with both matches either).
REGISTRATIONS = ("addresses", "subscriptions")
# ?sort=: the decision due soonest first (the default, also when left out), or the oldest submission first.
SORT_DUE, SORT_SUBMITTED = "due", "submitted"
SORTS = (SORT_DUE, SORT_SUBMITTED)
_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
# Within one severity, the codes the worst-finding column shows before any other: an overlap decides
# whether the space can be approved at all (two applicants cannot both have it), so it outranks, say, an
# ISP that has not answered yet or a shared document. The rest follow by code.
_CODE_RANK = {FindingCode.OVERLAP_APPROVED: 0, FindingCode.OVERLAP_PENDING: 1, FindingCode.OVERLAP_OWN: 2}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


# A filter's complaints name no field themselves: the page puts each beside its field, and the API's
# message prefixes the parameter's name (QueueFilter gathers every complaint before refusing).
def _text(value, name: str, longest: int = 200) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ServiceError(_("Send it as text."), field=name)
    value = value.strip()
    if len(value) > longest:
        raise ServiceError(ngettext("%(num)s character is too long; at most %(most)s.",
                                    "%(num)s characters is too long; at most %(most)s.", len(value), most=longest),
                           field=name)
    return value or None


def _choice(value, name: str, choices) -> str | None:
    value = _text(value, name)
    if value is not None and value not in choices:
        raise ServiceError(_("%(value)s is unknown; use one of %(choices)s.", value=repr(value),
                             choices=", ".join(choices)), field=name)
    return value


@dataclass
class QueueFilter:
    """What the reviewer asked the queue for; values are normalised and checked on construction."""

    state: str | None = None
    code: str | None = None            # has a finding with this code (the API's ?flag=)
    category: str | None = None
    kind: str | None = None            # applicant kind: firm or freelancer
    city: str | None = None
    isp: str | None = None             # the ISP named in the applicant's profile, any case
    older_than_days: int | None = None
    has_overrides: bool | None = None
    batched: bool | None = None        # in a batch awaiting approval (True) or not (False); None: either
    confirmation: str | None = None    # the ISP's answer: pending, confirmed, disputed, or none asked
    registration: str | None = None    # addresses or subscriptions (REGISTRATIONS)
    q: str | None = None               # applicant name, email, NTN or CNIC; a mobile number or account id
    address: AddressRange | None = None  # an address, CIDR or range; text is parsed
    sort: str | None = None            # SORTS; None: by due time
    sponsor: int | None = None         # the sponsor whose invitation the application came from (its id)

    def __post_init__(self):
        problems: dict[str, str] = {}

        def checked(check, *args):
            """check(*args), or None with its complaint kept: every bad value is named at once."""
            try:
                return check(*args)
            except ServiceError as exc:
                problems[exc.field] = exc.message
                return None

        self.state = checked(_choice, self.state, "state", State.ALL)
        self.code = checked(_text, self.code, "code", 60)
        self.category = checked(_choice, self.category, "category", Category.ALL)
        self.kind = checked(_choice, self.kind, "kind", ApplicantKind.ALL)
        self.city, self.isp = checked(_text, self.city, "city"), checked(_text, self.isp, "isp")
        self.q = checked(_text, self.q, "q")
        self.confirmation = checked(_choice, self.confirmation, "confirmation", CONFIRMATIONS)
        self.registration = checked(_choice, self.registration, "registration", REGISTRATIONS)
        self.sort = checked(_choice, self.sort, "sort", SORTS)
        self.older_than_days = checked(self._days, self.older_than_days)
        self.has_overrides = checked(self._flag, self.has_overrides, "has_overrides")
        self.batched = checked(self._flag, self.batched, "batched")
        self.sponsor = checked(self._sponsor, self.sponsor)
        if isinstance(self.address, str) or self.address is None:
            self.address = checked(self._address, self.address)
        if problems:
            raise ServiceError("; ".join(f"{name}: {message}" for name, message in problems.items()),
                               field=next(iter(problems)), details=problems)

    @staticmethod
    def _days(value) -> int | None:
        if value is None or value == "":
            return None
        text = str(value).strip()
        if not text.isdigit() or len(text) > 5:
            raise ServiceError(_("%(value)s is not a whole number of days (0 to 99999).", value=repr(value)),
                               field="older_than_days")
        return int(text)

    @staticmethod
    def _sponsor(value) -> int | None:
        if value is None or value == "" or isinstance(value, int) and not isinstance(value, bool):
            return value or None
        text = str(value).strip()
        if not text.isdigit() or len(text) > 18:
            raise ServiceError(_("sponsor=%(value)s is not a sponsor's id (a whole number).", value=repr(value)),
                               field="sponsor")
        return int(text)

    @staticmethod
    def _flag(value, name: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        if text == "":
            return None
        raise ServiceError(_("%(value)s is not yes or no; use yes or no (1 or 0).", value=repr(value)), field=name)

    @staticmethod
    def _address(value) -> AddressRange | None:
        text = _text(value, "address", longest=100)
        if text is None:
            return None
        try:
            return parse_entry(text)
        except EntryError as exc:
            raise ServiceError(str(exc), field="address") from None

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """From request args (any mapping with .get); ?flag= is the contract's name for ?code=."""
        values = {f.name: args.get(f.name) for f in fields(cls)}
        values["code"] = values["code"] or args.get("flag")
        return cls(**values)

    def to_args(self) -> dict[str, str]:
        """The filter as query arguments again, for links to other pages of the same view."""
        args = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                args[f.name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return args

    @property
    def states(self) -> tuple[str, ...]:
        if self.state:
            return (self.state,)
        # "Which open or approved applications cover this address?"
        return QUEUE_STATES + (State.APPROVED,) if self.address else QUEUE_STATES


@dataclass
class QueueRow:
    id: int
    state: str
    applicant_id: int
    applicant_name: str
    applicant_email: str
    kind: str | None
    category: str | None
    entry_count: int
    address_count: int
    worst_severity: str | None
    worst_code: str | None
    submitted_at: datetime
    age_days: int
    isp_name: str | None
    override_count: int
    batch_id: int | None  # the batch awaiting approval it is in: not to be batched again
    decision_due_at: datetime | None = None
    late: bool = False    # services.decision_clock.is_late


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def applications_overlapping(rng: AddressRange):
    """A select of the ids of applications with an entry overlapping `rng`: one index range per size class."""
    per_class = [and_(AddressEntry.version == rng.version, AddressEntry.size_class == size,
                      AddressEntry.start.between(max(0, rng.start - (1 << size) + 1), rng.end))
                 for size in range(BITS[rng.version] + 1)]
    return select(AddressEntry.application_id).where(or_(*per_class), AddressEntry.end >= rng.start)


def _search(q: str):
    """Applicants matching `q`: an NTN or CNIC typed with or without dashes, else part of a name or email."""
    digits = q.replace("-", "").replace(" ", "")
    if digits.isdigit() and len(digits) == 8:
        return select(ApplicantProfile.user_id).where(ApplicantProfile.ntn == f"{digits[:7]}-{digits[7]}")
    if digits.isdigit() and len(digits) == 13:
        return select(ApplicantProfile.user_id).where(
            ApplicantProfile.cnic == f"{digits[:5]}-{digits[5:12]}-{digits[12]}")
    # ILIKE on PostgreSQL, served by the trigram indexes of migration 0004.
    return union(select(ApplicantProfile.user_id).where(ApplicantProfile.name.icontains(q, autoescape=True)),
                 select(User.id).where(User.email.icontains(q, autoescape=True)))


def _search_subscriptions(q: str):
    """Applications holding the subscription `q`: a mobile number in any spelling (as E.164), or an account id
    as typed (ix_subscriptions_identifier)."""
    identifiers = {q}
    try:
        identifiers.add(mobile_e164(q))
    except NotAMobileNumber:
        pass
    return select(Subscription.application_id).where(Subscription.identifier.in_(sorted(identifiers)))


def _few_or_subquery(column, ids_query):
    """`column IN (ids_query)`, with the ids looked up first and listed when there are few of them.

    A handful of ids lets the database fetch and sort just those rows; as a subquery, PostgreSQL
    misjudged how many it would find and walked the whole queue in order, probing each row (1-2 s at
    500,000 applications). Thousands stay a subquery: then the ordered walk finds a page at once.
    """
    # The query as it is, only limited: wrapped in SELECT DISTINCT, SQLite dropped its per-class index
    # ranges and took 2 s. Rows may repeat an id; past the limit it is a subquery either way.
    ids = list(db.session.scalars(ids_query.limit(INLINE_IDS + 1)))
    return column.in_(ids_query) if len(ids) > INLINE_IDS else among(column, sorted(set(ids)))


def _pending_batch_members():
    """A select of the ids of applications in a batch awaiting approval."""
    return (select(batch_applications.c.application_id)
            .join(Batch, Batch.id == batch_applications.c.batch_id)
            .where(Batch.state == BatchState.PENDING_APPROVAL))


def _batched(wanted: bool):
    """In a pending batch (`wanted`) or not. Pending batches are few and short-lived: their ids are read
    first and listed, so ?batched=yes fetches just those rows; past INLINE_IDS a subquery, or NOT EXISTS
    probed row by row as the ordered walk goes (a page stops after 51 rows)."""
    members = _pending_batch_members()
    ids = list(db.session.scalars(members.limit(INLINE_IDS + 1)))
    if not ids:
        return false() if wanted else true()
    if len(ids) <= INLINE_IDS:
        listed = among(Application.id, sorted(set(ids)))
        return listed if wanted else ~listed
    if wanted:
        return Application.id.in_(members)
    return ~exists().where(batch_applications.c.application_id == Application.id,
                           Batch.id == batch_applications.c.batch_id, Batch.state == BatchState.PENDING_APPROVAL)


def _conditions(f: QueueFilter, joined: bool, states: tuple[str, ...] | None = None,
                shared: list | None = None) -> list:
    """The filter as conditions; `joined`: the query joins the applicant's profile; `states`: one part of
    the filter's states (default: all of them); `shared`: _shared_conditions(f, joined) made before, so a page
    of several parts looks a search's ids up once (each lookup scans the names on SQLite, 100+ ms)."""
    return ([Application.state.in_(states or f.states), Application.submitted_at.is_not(None)]
            + (shared if shared is not None else _shared_conditions(f, joined)))


def _submitted_column():
    """Application.submitted_at for a condition. On SQLite with SQLite's unary +, the same value that no index serves:
    given `submitted_at < ?` (older_than_days), SQLite read that range of ix_applications_queue and sorted it by due
    time, 80,000 rows for a first page (0.5-1 s in bench_review.py), where walking ix_applications_due finds the
    page at once (the oldest submissions are due first). The submission order walks ix_applications_queue anyway."""
    if db.session.get_bind().dialect.name == "sqlite":
        return literal_column("+applications.submitted_at", UTCDateTime)
    return Application.submitted_at


def _shared_conditions(f: QueueFilter, joined: bool) -> list:
    """The filter's conditions other than its states: the same for every part of the queue."""
    conditions = []
    if f.code:
        conditions.append(exists().where(Finding.application_id == Application.id, Finding.code == f.code))
    if f.category:
        conditions.append(Application.category == f.category)
    if f.sponsor:
        conditions.append(Application.sponsor_id == f.sponsor)
    profile = [condition for wanted, condition in (
        (f.kind, ApplicantProfile.kind == f.kind),
        (f.city, func.lower(ApplicantProfile.city) == (f.city or "").lower()),
        (f.isp, func.lower(ApplicantProfile.isp_name) == (f.isp or "").lower())) if wanted]
    if profile and joined:
        conditions += profile
    elif profile:
        conditions.append(Application.applicant_id.in_(select(ApplicantProfile.user_id).where(*profile)))
    if f.older_than_days is not None:
        conditions.append(_submitted_column() < utcnow() - timedelta(days=f.older_than_days))
    if f.has_overrides is not None:
        overridden = exists().where(Override.application_id == Application.id)
        conditions.append(overridden if f.has_overrides else ~overridden)
    if f.batched is not None:
        conditions.append(_batched(f.batched))
    if f.confirmation == NO_CONFIRMATION:
        conditions.append(~exists().where(IspConfirmation.application_id == Application.id))
    elif f.confirmation:
        conditions.append(exists().where(IspConfirmation.application_id == Application.id,
                                         IspConfirmation.state == f.confirmation))
    if f.registration:
        table = AddressEntry if f.registration == "addresses" else Subscription
        conditions.append(exists().where(table.application_id == Application.id))
    if f.q:
        conditions.append(or_(_few_or_subquery(Application.applicant_id, _search(f.q)),
                              _few_or_subquery(Application.id, _search_subscriptions(f.q))))
    if f.address:
        conditions.append(_few_or_subquery(Application.id, applications_overlapping(f.address)))
    return conditions


def _filtered(columns, f: QueueFilter, joined: bool, states: tuple[str, ...] | None = None,
              shared: list | None = None):
    """The matching applications. An ordered page walks ix_applications_queue and looks up each row's
    account and profile (`joined`); a count reads the profiles it filters on once, in a subquery, and
    joins nothing: SQLite cannot leave out an unused join, and counting 300,000 rows through two took it
    seconds."""
    query = select(*columns).select_from(Application)
    if joined:
        query = (query.join(User, User.id == Application.applicant_id)
                 .outerjoin(ApplicantProfile, ApplicantProfile.user_id == Application.applicant_id))
    return query.where(*_conditions(f, joined, states, shared))


UNDATED = "undated"  # a part of the rows without a due time


@dataclass(frozen=True)
class Part:
    """One stretch of the queue: some of the filter's states, in one keyset order.

    SORT_DUE: rows with a due time, by (decision_due_at, id) on ix_applications_due; UNDATED: those without, by id,
    read from the same index (its NULL stretch is in id order); SORT_SUBMITTED: by (submitted_at, id) on
    ix_applications_queue. Suspended applications are always by submission: they are approved ones that an ISP
    disputed, urgent whatever their due time."""

    states: tuple[str, ...]
    key: str

    @property
    def column(self):
        return {SORT_DUE: Application.decision_due_at, SORT_SUBMITTED: Application.submitted_at}.get(
            self.key, Application.submitted_at)

    def after(self, at: datetime, application_id: int):
        """The condition for the rows after the one a page ended on (`at` its sort key, unused by UNDATED)."""
        if self.key == UNDATED:
            return Application.id > application_id
        return tuple_(self.column, Application.id) > tuple_(literal(at, UTCDateTime), literal(application_id))


def _ordered(columns, f: QueueFilter, part: Part, shared: list | None = None):
    query = _filtered(columns + (part.column.label("sort_key"),), f, joined=True, states=part.states, shared=shared)
    if set(part.states) <= set(URGENT_STATES):
        query = query.where(_listed_when_few(part.states))
    if part.key == SORT_DUE:
        return query.where(Application.decision_due_at.is_not(None)).order_by(Application.decision_due_at,
                                                                              Application.id)
    if part.key == UNDATED:
        return query.where(Application.decision_due_at.is_(None)).order_by(Application.id)
    return query.order_by(Application.submitted_at, Application.id)


def _listed_when_few(states: tuple[str, ...]):
    """The applications in `states`, their ids read first (ix_applications_state) and listed when there are few.

    The urgent states hold few rows by nature (approved applications an ISP disputed), usually none. SQLite
    cannot see that from a bound parameter: it walked ix_applications_queue for the order, all 500,000 rows (or
    all older_than_days matches) to find none, 1-3 s a first page in bench_review.py. Listed, the rows are fetched
    by id and sorted; none, the part is empty at once. As _batched() does for pending batches."""
    ids = list(db.session.scalars(select(Application.id).where(Application.state.in_(states))
                                  .limit(INLINE_IDS + 1)))
    if not ids:
        return false()
    return among(Application.id, sorted(ids)) if len(ids) <= INLINE_IDS else true()


def _parts(f: QueueFilter) -> list[Part]:
    """The parts the queue shows one after the other: the urgent states (by submission), then the rest, by due
    time and then those without one, or by submission (?sort=submitted)."""
    urgent = tuple(s for s in f.states if s in URGENT_STATES)
    rest = tuple(s for s in f.states if s not in URGENT_STATES)
    parts = [Part(urgent, SORT_SUBMITTED)] if urgent else []
    if rest and f.sort == SORT_SUBMITTED:
        parts.append(Part(rest, SORT_SUBMITTED))
    elif rest:
        parts += [Part(rest, SORT_DUE), Part(rest, UNDATED)]
    return parts


MAX_PARTS = 3


def encode_cursor(at: datetime, application_id: int, part: int = 0) -> str:
    raw = json.dumps([at.isoformat(), application_id, part]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int, int | None]:
    """(sort key, id, part) of the row a page ended on; part None in a cursor given out before the queue
    had parts (it then continues the last part, as that queue had only it)."""
    try:
        at, application_id, *part = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = datetime.fromisoformat(at)
        if (at.tzinfo is None or not isinstance(application_id, int) or len(part) > 1
                or not all(isinstance(p, int) and 0 <= p < MAX_PARTS for p in part)):
            raise ValueError
        return at, application_id, part[0] if part else None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ServiceError(_("cursor %(cursor)s is not one this queue gave out; start again from the first page "
                             "(leave cursor out).", cursor=repr(cursor[:60])), field="cursor") from None


def queue_page(f: QueueFilter, cursor: str | None = None, limit: int = 50) -> QueuePage:
    """One page of the queue, suspended applications first, then by due time (or oldest first); next_cursor is
    None on the last page."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    columns = (Application.id, Application.state, Application.applicant_id, Application.category,
               Application.submitted_at, ApplicantProfile.name, User.email, ApplicantProfile.kind,
               ApplicantProfile.isp_name, Application.decision_due_at, Application.approved_at,
               Application.decided_at)
    parts = _parts(f)
    part, after = 0, None
    if cursor:
        at, after_id, part = decode_cursor(cursor)
        part, after = min(len(parts) - 1 if part is None else part, len(parts) - 1), (at, after_id)
    found = []  # (part, row): one more than a page, to know whether another follows
    shared = _shared_conditions(f, joined=True)
    while part < len(parts) and len(found) <= limit:
        query = _ordered(columns, f, parts[part], shared)
        if after:
            query = query.where(parts[part].after(*after))
        found += [(part, row) for row in db.session.execute(query.limit(limit + 1 - len(found)))]
        part, after = part + 1, None
    page = found[:limit]
    rows = _rows([row for _, row in page])
    last_part, last = page[-1] if page else (0, None)
    return QueuePage(rows, encode_cursor(last.sort_key, last.id, last_part) if len(found) > limit else None)


def _rows(page) -> list[QueueRow]:
    ids = [row.id for row in page]
    entries: dict[int, list[int]] = {i: [0, 0] for i in ids}
    for application_id, start, end in db.session.execute(
            select(AddressEntry.application_id, AddressEntry.start, AddressEntry.end)
            .where(AddressEntry.application_id.in_(ids))):
        entries[application_id][0] += 1
        entries[application_id][1] += end - start + 1
    # (severity rank, code rank, code, severity): errors first, overlaps first within each severity, then by code.
    worst: dict[int, tuple[int, int, str, str]] = {}
    for application_id, severity, code in db.session.execute(
            select(Finding.application_id, Finding.severity, Finding.code).distinct()
            .where(Finding.application_id.in_(ids))):
        key = (_SEVERITY_RANK.get(severity, len(_SEVERITY_RANK)), _CODE_RANK.get(code, len(_CODE_RANK)), code,
               severity)
        worst[application_id] = min(worst.get(application_id, key), key)
    none = (0, 0, None, None)
    overrides = dict(db.session.execute(select(Override.application_id, func.count())
                                        .where(Override.application_id.in_(ids))
                                        .group_by(Override.application_id)).all())
    batched = pending_batch_ids(ids)
    now = utcnow()
    return [QueueRow(id=r.id, state=r.state, applicant_id=r.applicant_id, applicant_name=r.name or r.email,
                     applicant_email=r.email, kind=r.kind, category=r.category, entry_count=entries[r.id][0],
                     address_count=entries[r.id][1], worst_severity=worst.get(r.id, none)[3],
                     worst_code=worst.get(r.id, none)[2], submitted_at=r.submitted_at,
                     age_days=(now - r.submitted_at).days, isp_name=r.isp_name,
                     override_count=overrides.get(r.id, 0), batch_id=batched.get(r.id),
                     decision_due_at=r.decision_due_at, late=is_late(r, now))
            for r in page]


def matching_count(f: QueueFilter, cap: int | None = None) -> int:
    """How many applications match; with `cap`, counting stops past it (returns at most cap + 1), which
    keeps a page of a 300,000-row queue fast: it can say "more than 10,000"."""
    if cap is None:
        return db.session.scalar(_filtered((func.count(),), f, joined=False))
    return db.session.scalar(select(func.count()).select_from(
        _filtered((Application.id,), f, joined=False).limit(cap + 1).subquery()))


@dataclass
class MatchingCounts:
    total: int      # every matching application, at most cap + 1 ("more than cap")
    batchable: int  # those not in a pending batch: what matching_ids() offers, at most cap + 1


def matching_counts(f: QueueFilter, cap: int) -> MatchingCounts:
    """How many applications match, and how many of them "select all matching" would batch.

    Without a ?batched= filter the two are counted apart, those in a pending batch through their listed
    ids (few), and added up; so the page costs one capped count, as before, plus a short one."""
    if f.batched is not None:
        total = matching_count(f, cap)
        return MatchingCounts(total, 0 if f.batched else total)
    batchable = matching_count(replace(f, batched=False), cap)
    in_batches = matching_count(replace(f, batched=True), cap)
    return MatchingCounts(min(batchable + in_batches, cap + 1), batchable)


def matching_ids(f: QueueFilter, limit: int = 10_000) -> list[int]:
    """The ids of the first `limit` matching applications not in a pending batch, in queue order ("select
    all N matching"): an application is never offered for a second batch."""
    if f.batched:
        return []
    unbatched, ids = replace(f, batched=False), []
    shared = _shared_conditions(unbatched, joined=True)
    for part in _parts(unbatched):
        if len(ids) < limit:
            ids += db.session.scalars(_ordered((Application.id,), unbatched, part, shared).limit(limit - len(ids)))
    return ids


def state_counts() -> dict[str, int]:
    """How many applications wait in each queue state (all of them, zeros included, suspended first), those
    in a batch awaiting approval counted apart under BATCHED: "ready" is what a maker can still batch."""
    counts = dict(db.session.execute(select(Application.state, func.count()).where(
        Application.state.in_(QUEUE_STATES)).group_by(Application.state)).all())
    batched = dict(db.session.execute(
        select(Application.state, func.count()).select_from(batch_applications)
        .join(Batch, Batch.id == batch_applications.c.batch_id)
        .join(Application, Application.id == batch_applications.c.application_id)
        .where(Batch.state == BatchState.PENDING_APPROVAL, Application.state.in_(QUEUE_STATES))
        .group_by(Application.state)).all())
    return {**{state: counts.get(state, 0) - batched.get(state, 0) for state in QUEUE_STATES},
            BATCHED: sum(batched.values())}
