"""Every row of a sponsor's member file checked at once, each problem named by its row and column, with Raasta's
own rules: the CNIC format of profiles, mobile numbers and account ids of subscriptions, the address parser, the
purpose rule; then duplicates inside the file and against the portal (this sponsor's open invitations, and
addresses already approved). The queries are the same few whatever the number of rows.

A cell that a spreadsheet would run as a formula (= + - @ first, or a tab or carriage return) is refused, not
neutralised: the sponsor's file is kept and downloaded back as it came, and a member's name or CNIC never starts
so. The one exception is a mobile number written +92..., which is a number, not a formula.
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from app.addresses import EntryError, parse_entry
from app.choices import InvitationState, OrganisationKind, SubscriptionKind
from app.extensions import db
from app.i18n import _, ngettext
from app.models import Invitation
from app.services import ServiceError
from app.services.accounts import normalise_email
from app.services.application_input import purpose_problem
from app.services.pakistani_numbers import tidy_cnic
from app.services.profiles import CNIC_FORMAT
from app.services.review.approved_space import SpaceEntry, clashes
from app.services.subscriptions.inputs import identifier_problem, operator_problem, operators_by_kind
from app.spreadsheet import looks_like_formula

COLUMNS = ("name", "cnic", "email", "mobile", "operator", "isp", "subscriber_id", "addresses", "purpose")
REQUIRED_COLUMNS = ("name", "cnic", "email")
# What a member can be whitelisted by: at least one of these, each complete.
CONNECTIONS = (("mobile", "operator"), ("isp", "subscriber_id"), ("addresses",))
MAX_ADDRESSES = 64
NAME_MAX = 200
_ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")
_HEADER_SPACES = re.compile(r"[\s\-]+")


@dataclass
class RowsChecked:
    problems: list[dict] = field(default_factory=list)   # {"row", "column", "code", "message"}
    proposals: list[dict] = field(default_factory=list)  # one per clean row: what the member is invited with

    def add(self, row: int, column: str | None, code: str, message: str) -> None:
        self.problems.append({"row": row, "column": column, "code": code, "message": message})


def header_name(cell: str) -> str:
    """"Subscriber ID" -> subscriber_id: how a header cell is matched to a column."""
    return _HEADER_SPACES.sub("_", cell.strip().lower())


def _columns(header: list[str], checked: RowsChecked) -> dict[str, int] | None:
    """column name -> its index, or None when the header is wrong (every problem with it reported)."""
    positions, unknown = {}, []
    for index, cell in enumerate(header):
        name = header_name(cell)
        if not name:
            continue
        if name not in COLUMNS:
            unknown.append(cell)
        elif name in positions:
            checked.add(1, name, "file.column_twice",
                        _("Column %(column)s appears twice in the header; keep one.", column=name))
        else:
            positions[name] = index
    if unknown:
        checked.add(1, None, "file.column_unknown",
                    ngettext("Unknown column %(columns)s; the columns are %(known)s.",
                             "Unknown columns %(columns)s; the columns are %(known)s.", len(unknown),
                             columns=", ".join(repr(c) for c in unknown), known=", ".join(COLUMNS)))
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        checked.add(1, None, "file.column_missing",
                    ngettext("Column %(columns)s is missing; the header row (row 1) needs %(required)s.",
                             "Columns %(columns)s are missing; the header row (row 1) needs %(required)s.",
                             len(missing), columns=", ".join(missing), required=", ".join(REQUIRED_COLUMNS)))
    if not any(all(name in positions for name in group) for group in CONNECTIONS):
        checked.add(1, None, "file.no_connection_columns",
                    _("The header has no column for what to whitelist: add mobile and operator, isp and "
                      "subscriber_id, or addresses."))
    return None if checked.problems else positions


def _cells(row: list[str], positions: dict[str, int]) -> dict[str, str]:
    return {name: (row[index] if index < len(row) else "") for name, index in positions.items()}


class _RowChecker:
    """The per-row rules, with what they need loaded once for the whole file."""

    def __init__(self, checked: RowsChecked):
        self.checked = checked
        operators = operators_by_kind()
        self.mobile = operators.get(OrganisationKind.MOBILE, {})
        self.fixed = operators.get(OrganisationKind.FIXED, {})

    def check(self, number: int, cells: dict[str, str]) -> dict | None:
        """The row's proposal, or None when it has problems (each added to `checked`)."""
        add, before = self.checked.add, len(self.checked.problems)
        for name, value in cells.items():
            if looks_like_formula(value) and not (name == "mobile" and value.startswith("+")
                                                  and identifier_problem(SubscriptionKind.MOBILE, value)[1] is None):
                add(number, name, "cell.formula",
                    _("%(value)s starts like a spreadsheet formula (= + - @); type the value itself, without "
                      "the formula.", value=repr(value[:40])))
        if len(self.checked.problems) > before:
            return None
        proposal = {"row": number, "name": cells["name"], "purpose": cells.get("purpose", "")}
        if not cells["name"]:
            add(number, "name", "name.missing", _("Give the member's name as on their CNIC."))
        elif len(cells["name"]) > NAME_MAX:
            add(number, "name", "name.too_long", _("Keep the name under %(max)s characters.", max=NAME_MAX))
        proposal["cnic"] = tidy_cnic(cells["cnic"])
        if not CNIC_FORMAT.match(proposal["cnic"]):
            add(number, "cnic", "cnic.format",
                _("CNIC %(cnic)s is not in the format 12345-1234567-1.", cnic=repr(cells["cnic"]))
                if cells["cnic"] else _("Give the member's CNIC, e.g. 35202-1234567-1."))
        try:
            proposal["email"] = normalise_email(cells["email"]) if cells["email"] else None
        except ServiceError as exc:
            add(number, "email", "email.invalid", exc.message)
        if not cells["email"]:
            add(number, "email", "email.missing", _("Give the member's email: their invitation is sent there."))
        self._connections(number, cells, proposal)
        if cells.get("purpose") and (problem := purpose_problem(cells["purpose"])):
            add(number, "purpose", "purpose.invalid", problem)
        return proposal if len(self.checked.problems) == before else None

    def _connections(self, number: int, cells: dict[str, str], proposal: dict) -> None:
        add, given = self.checked.add, False
        # A mobile number with its operator, or a fixed-line account id with its ISP: the same two checks each.
        for kind, id_column, organisation_column, known in (
                (SubscriptionKind.MOBILE, "mobile", "operator", self.mobile),
                (SubscriptionKind.FIXED, "subscriber_id", "isp", self.fixed)):
            identifier, organisation = cells.get(id_column, ""), cells.get(organisation_column, "")
            if not (identifier or organisation):
                continue
            given = True
            proposal[id_column], problem = identifier_problem(kind, identifier)
            if problem:
                add(number, id_column, f"{id_column}.invalid", problem)
            found = known.get(" ".join(organisation.split()).lower()) if organisation else None
            if found is None:
                add(number, organisation_column, f"{organisation_column}.unknown", operator_problem(
                    kind, organisation, ", ".join(o.name for o in known.values())))
            else:
                proposal[organisation_column] = found.name
        typed = [a for a in _ADDRESS_SEPARATORS.split(cells.get("addresses", "")) if a]
        if typed:
            given = True
            if len(typed) > MAX_ADDRESSES:
                add(number, "addresses", "addresses.too_many",
                    _("%(num)s addresses are more than %(max)s for one member; the member can add more on their "
                      "own application.", num=len(typed), max=MAX_ADDRESSES))
            ranges = []
            for text in typed[:MAX_ADDRESSES]:
                try:
                    ranges.append((text, parse_entry(text)))
                except EntryError as exc:
                    add(number, "addresses", exc.code, str(exc))
            proposal["addresses"] = [text for text, _range in ranges]
            proposal["_ranges"] = [rng for _text, rng in ranges]
        if not given:
            add(number, None, "row.no_connection",
                _("Row %(row)s has nothing to whitelist: give a mobile number and its operator, an ISP and "
                  "subscriber id, or addresses.", row=number))


def _duplicates_in_file(proposals: list[dict], checked: RowsChecked) -> None:
    """Each email, CNIC, mobile number and account id once in the file: the second row naming one is refused."""
    for column, key in (("email", lambda p: p.get("email")), ("cnic", lambda p: p.get("cnic")),
                        ("mobile", lambda p: p.get("mobile")),
                        ("subscriber_id", lambda p: (p.get("isp"), p.get("subscriber_id"))
                         if p.get("subscriber_id") else None)):
        first: dict = {}
        for proposal in proposals:
            value = key(proposal)
            if value is None:
                continue
            if value in first:
                checked.add(proposal["row"], column, f"{column}.duplicate",
                            _("The same %(column)s as row %(other)s; each member appears once.", column=column,
                              other=first[value]))
            else:
                first[value] = proposal["row"]


def _already_invited(sponsor_id: int, proposals: list[dict], checked: RowsChecked) -> None:
    """Members this sponsor has invited already (the invitation open or accepted): two queries for the file."""
    emails = {p["email"]: p["row"] for p in proposals if p.get("email")}
    cnics = {p["cnic"]: p["row"] for p in proposals if p.get("cnic")}
    if not emails:
        return
    open_states = (InvitationState.INVITED, InvitationState.ACCEPTED)
    rows = db.session.execute(select(Invitation.email, Invitation.cnic).where(
        Invitation.sponsor_id == sponsor_id, Invitation.state.in_(open_states),
        or_(Invitation.email.in_(list(emails)), Invitation.cnic.in_(list(cnics))))).all()
    for email, cnic in rows:
        if email in emails:
            checked.add(emails[email], "email", "email.invited",
                        _("%(email)s is already invited by your organisation; leave this row out.", email=email))
        if cnic in cnics:
            checked.add(cnics[cnic], "cnic", "cnic.invited",
                        _("CNIC %(cnic)s is already invited by your organisation; leave this row out.", cnic=cnic))


def _address_clashes(proposals: list[dict], checked: RowsChecked) -> None:
    """Addresses that overlap approved space, or another row's: a row is its own applicant (id -row), so the
    approved space's own sweep finds both, with a few queries whatever the number of rows."""
    entries = [SpaceEntry(-p["row"], -p["row"], index, rng.version, rng.start, rng.end)
               for p in proposals for index, rng in enumerate(p.get("_ranges", ()))]
    if not entries:
        return
    reported = set()
    for clash in clashes(entries):
        row = -clash.entry.applicant_id
        if (row, clash.approved) in reported:
            continue
        reported.add((row, clash.approved))
        if clash.approved:
            checked.add(row, "addresses", "addresses.approved",
                        _("%(entry)s overlaps addresses already approved on Raasta; leave it out (a member who "
                          "holds them applies for them themselves).", entry=str(clash.entry)))
        else:
            checked.add(row, "addresses", "addresses.duplicate",
                        _("%(entry)s overlaps %(other)s of row %(row)s; give each address to one member.",
                          entry=str(clash.entry), other=str(clash.other), row=-clash.other.applicant_id))


def check_rows(sponsor_id: int, header: list[str], rows: list[list[str]]) -> RowsChecked:
    """Every problem of the file (row 1 is the header), and a proposal per row when there is none."""
    checked = RowsChecked()
    positions = _columns(header, checked)
    if positions is None:
        return checked
    checker, proposals = _RowChecker(checked), []
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        proposal = checker.check(number, _cells(row, positions))
        if proposal is not None:
            proposals.append(proposal)
    if not proposals and not checked.problems:
        checked.add(2, None, "file.no_rows", _("The file has a header but no members; add one row per member."))
    _duplicates_in_file(proposals, checked)
    _already_invited(sponsor_id, proposals, checked)
    _address_clashes(proposals, checked)
    checked.problems.sort(key=lambda p: (p["row"], COLUMNS.index(p["column"]) if p["column"] in COLUMNS else -1))
    if not checked.problems:
        for proposal in proposals:
            proposal.pop("_ranges", None)
        checked.proposals = proposals
    return checked
