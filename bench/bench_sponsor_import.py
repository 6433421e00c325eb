"""Sponsors: check a member file of 5,000 rows (target under 5 s), with the queries it makes counted.

Run from the repo root: .venv/bin/python bench/bench_sponsor_import.py [--rows N] [--no-write]
Uses a fresh migrated SQLite file in a temporary directory. The file mixes mobile numbers, broadband accounts and
addresses; every row is clean, so the whole check runs (a problem stops nothing
either). The figures go under "## Sponsor member files" in bench/RESULTS.md.
"""
import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from flask_migrate import upgrade  # noqa: E402
from results_file import write_section  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.sponsors.member_file import read_member_file  # noqa: E402
from app.services.sponsors.member_rows import check_rows  # noqa: E402

SECTION = "## Sponsor member files"
HEADER = "name,cnic,email,mobile,operator,isp,subscriber_id,addresses,purpose"


def member_file(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        cnic = f"35202-{n:07d}-1"
        kind = n % 3
        mobile = f"0300-{n:07d}" if kind == 0 else ""
        operator = "Jazz" if kind == 0 else ""
        isp, account = ("PTCL", f"PTCL-{n}") if kind == 1 else ("", "")
        addresses = f"39.{32 + n // 65536}.{n // 256 % 256}.{n % 256}" if kind == 2 else ""
        lines.append(f"Member {n},{cnic},member{n}@example.pk,{mobile},{operator},{isp},{account},{addresses},"
                     "VPN to our client in Germany")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = TestConfig(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.db", INSTANCE_DIR=Path(folder))
        app = create_app(config)
        with app.app_context():
            upgrade()
            from app.models import Sponsor
            from app.services.isp_organisations import create_organisation
            from app.services.sponsors.registry import create_sponsor
            sponsor = create_sponsor("Bench Association", "association")
            create_organisation("PTCL")
            db.session.commit()
            content = member_file(args.rows)
            queries = []
            event.listen(db.engine, "before_cursor_execute", lambda *a: queries.append(1))
            started = time.perf_counter()
            parsed = read_member_file("members.csv", content)
            checked = check_rows(db.session.get(Sponsor, sponsor.id).id, parsed.header, parsed.rows)
            seconds = time.perf_counter() - started
    assert not checked.problems, checked.problems[:5]
    assert len(checked.proposals) == args.rows
    print(f"{args.rows:,} rows ({len(content) / 1024:.0f} KiB) checked in {seconds:.2f} s with {len(queries)} "
          f"queries; target < 5 s for 5,000")
    if args.rows >= 5000 and seconds >= 5:
        sys.exit(f"too slow: {seconds:.2f} s")
    if not args.no_write:
        write_section(SECTION, [SECTION, "", f"Python {platform.python_version()} on SQLite, {platform.machine()}.",
                                "", "| rows | file | seconds | queries |", "| --- | --- | --- | --- |",
                                f"| {args.rows:,} | {len(content) / 1024:.0f} KiB | {seconds:.2f} | {len(queries)} |"])


if __name__ == "__main__":
    main()
