"""bench/bench_load.py's figures: per kind of request, per process, per fault, and what the checks afterwards found;
written into bench/RESULTS.md under "## Mixed load (issue 25)", the steady run and the fault run each in its part."""
import datetime as dt
import math
import os
import platform
import re
import subprocess
from collections import Counter

from results_file import RESULTS, write_section

SECTION = "## Mixed load (issue 25)"
STEADY, FAULTS = "### Steady load", "### Faults during the load"
NOTES = "### Notes"  # hand-written, kept when the figures are rewritten
PAGE_P99_S, POLL_304_P99_S, FAULT_ERRORS_S = 0.5, 0.05, 10.0
GROUP_ORDER = {"applicant": 0, "reviewer": 1, "isp": 2}


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] if ordered else float("nan")


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def target(group: str, kind: str) -> float | None:
    if group == "isp":
        return POLL_304_P99_S if kind == "latest.txt 304" else None
    return PAGE_P99_S


def machine() -> str:
    model = re.search(r"Model name:\s*(.+)", subprocess.run(["lscpu"], capture_output=True, text=True).stdout)
    return f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else platform.processor()}), " \
           f"Python {platform.python_version()}"


def _errors(samples) -> str:
    counts = Counter("no answer" if s.status == 0 else str(s.status) for s in samples if not s.ok)
    return ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "0"


def request_table(samples, seconds: float) -> tuple[list[str], bool]:
    lines = ["| who | request | count | per second | p50 | p99 | errors (by status) | of them 5xx | p99 target |",
             "|---|---|---|---|---|---|---|---|---|"]
    kinds: dict[tuple[str, str], list] = {}
    for sample in samples:
        kinds.setdefault((sample.group, sample.kind), []).append(sample)
    met = True
    for (group, kind), found in sorted(kinds.items(), key=lambda k: (GROUP_ORDER[k[0][0]], k[0][1])):
        times = [s.end - s.start for s in found]
        p99, limit = percentile(times, 0.99), target(group, kind)
        five = sum(s.status >= 500 for s in found)
        goal = f"< {_ms(limit)}: {verdict(p99 < limit)}" if limit else ""
        met &= limit is None or p99 < limit
        lines.append(f"| {group} | {kind} | {len(found)} | {len(found) / seconds:.1f} | {_ms(percentile(times, 0.5))} "
                     f"| **{_ms(p99)}** | {_errors(found)} | {five} | {goal} |")
    return lines, met


def cpu_table(cpu: dict, seconds: float) -> list[str]:
    lines = ["| process | CPU seconds | share of the 2 CPUs |", "|---|---|---|"]
    for name, value in cpu.items():
        lines.append(f"| {name} | {value:.1f} | {value / (seconds * (os.cpu_count() or 1)) * 100:.0f}% |")
    total = sum(cpu.values())
    lines.append(f"| **all measured** | **{total:.1f}** | **{total / (seconds * (os.cpu_count() or 1)) * 100:.0f}%** |")
    return lines


def fault_table(result: dict) -> tuple[list[str], bool]:
    """Errors in each fault's window (its instant to the next fault's, or the end of the load): how many, how many
    of them were in flight at the instant, and for how long errors came."""
    events, samples, start = result["faults"], result["samples"], result["start"]
    lines = ["| fault | at | errors in its window (by status) | in flight at the instant | errors after it | "
             "seconds of errors | target: only in flight, ≤ 10 s |", "|---|---|---|---|---|---|---|"]
    met = True
    for n, event in enumerate(events):
        at = event["at"]
        until = events[n + 1]["at"] if n + 1 < len(events) else result["end"]
        errors = [s for s in samples if not s.ok and at <= s.end < until]
        in_flight = [s for s in errors if s.start <= at]
        span = max((s.end for s in errors), default=at) - at
        ok = len(errors) == len(in_flight) and span <= FAULT_ERRORS_S
        met &= ok
        lines.append(f"| {event['fault']} | {at - start:.0f} s | {_errors(errors)} | {len(in_flight)} | "
                     f"{len(errors) - len(in_flight)} | {span:.1f} s | {verdict(ok)} |")
    before = [s for s in samples if not s.ok and (not events or s.end < events[0]["at"])]
    lines.append(f"| (before the first fault) | | {_errors(before)} | | | | |")
    return lines, met


def after_lines(after: dict) -> tuple[list[str], bool]:
    audit_rc, audit_out = after["audit_verify"]
    docs_rc, docs_out = after["documents_verify"]
    b = after["batches"]
    checks = [
        (after["not_validated"] == 0,
         f"every submitted application validated: {after['submitted']} submitted, {after['not_validated']} still "
         f"draft or validating after {after['validated_after_s']:.0f} s of grace (states: "
         + ", ".join(f"{k} {v}" for k, v in sorted(after["states"].items())) + ")"),
        (after["one_serial_each"] and after["answers_match"] and after["serials_consecutive"],
         f"every approval published exactly once: {b['published']} batches published ({b['made']} made, "
         f"{b['pending']} still pending), each with a serial of its own, the one its approve answer gave "
         f"({after['approvals_answered']} answered); {after['versions']} versions, serials consecutive: "
         f"{after['serials_consecutive']}"),
        (docs_rc == 0, f"every document readable: {after['documents']} documents; `flask documents verify` exit "
                       f"{docs_rc}: {docs_out[0]}"),
        (audit_rc == 0, f"`flask audit verify` exit {audit_rc}: {audit_out[0]}"),
        (after["queued_jobs"] == 0 and after["failed_jobs"] == 0 and after["outbox"] == 0,
         f"nothing stuck: {after['queued_jobs']} jobs queued, {after['failed_jobs']} failed, {after['outbox']} "
         "outbox rows"),
    ]
    return [f"- {verdict(ok)}: {text}" for ok, text in checks], all(ok for ok, _ in checks)


def report_lines(result: dict, options, argv: list[str], load_start: float) -> list[str]:
    seconds = result["end"] - result["start"]
    samples = result["samples"]
    requests, latency_met = request_table(samples, seconds)
    errors = [s for s in samples if not s.ok]
    five = sum(s.status >= 500 for s in errors)
    lags = result["lags"]
    after, after_met = after_lines(result["after"])
    heading = FAULTS if options.faults else STEADY
    lines = [heading, "",
             f"`.venv/bin/python bench/bench_load.py {' '.join(argv)}` on {machine()}, {dt.date.today().isoformat()}; "
             f"load average {load_start:.1f} before, {os.getloadavg()[0]:.1f} after. {options.applicants} applicants "
             f"({options.web_share:.0%} through the pages), {options.isps} ISPs, {options.reviewers} reviewers for "
             f"{seconds:.0f} s through HAProxy in front of 2 web hosts ({options.web_concurrency} processes x 8 "
             f"threads each) and 2 workers; {len(samples)} requests by {options.threads} client threads. Client "
             f"lag (a step started late because every thread was busy): p50 {_ms(percentile(lags, 0.5))}, p99 "
             f"{_ms(percentile(lags, 0.99))}. Seeding took {result['seed_s']:.0f} s.", ""]
    lines += requests
    lines += ["", f"Errors: **{len(errors)}**, of them 5xx: **{five}**"
              + ("" if options.faults else f" (target none: {verdict(not errors)})")
              + f"; p99 targets: {verdict(latency_met)}. ISPs' downloads: {result['checks']['sha256 = ETag']} with "
              f"sha256 = ETag, {result['checks']['sha256 != ETag']} without. The balancer's count per host: "
              + ", ".join(f"{k} {v['requests']}" for k, v in result["balancer"].items()) + ".", ""]
    if options.faults:
        table, faults_met = fault_table(result)
        lines += table + ["", f"Faults: {verdict(faults_met)}.", ""]
    lines += ["CPU seconds during the load (user + system, from /proc; a host or worker counts its whole process "
              "group, PostgreSQL " + ("its whole private cluster" if options.faults and not options.no_postgres_fault
                                      else "the backends serving this database (not the shared background processes)")
              + "):", ""]
    lines += cpu_table(result["cpu"], seconds)
    healthy = result["healthy_after_s"]
    lines += ["", "Afterwards:", f"- {verdict(not isinstance(healthy, str))}: every host back in the balancer: "
              + (f"{healthy:.1f} s after the load" if not isinstance(healthy, str) else healthy)] + after
    return lines


def write(lines: list[str], faults: bool) -> None:
    """This run's part of the section, the other part kept as it was."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    old = text.partition(SECTION)[2].split("\n## ")[0] if SECTION in text else ""
    old = old.split(NOTES)[0]
    steady = old.split(FAULTS)[0].partition(STEADY)
    kept_steady = (STEADY + steady[2]).rstrip("\n").splitlines() if steady[1] else []
    kept_faults = (FAULTS + old.partition(FAULTS)[2]).rstrip("\n").splitlines() if FAULTS in old else []
    parts = (kept_steady, lines) if faults else (lines, kept_faults)
    body = [SECTION, "", "Targets (issue 25, 2 CPUs): no error and no 5xx during the steady load; p99 < 500 ms for "
            "applicant and reviewer requests, < 50 ms for an ISP's 304; during each fault, errors only on requests in "
            "flight at its instant and at most 10 s of them; afterwards nothing lost.", ""]
    for part in parts:
        if part:
            body += part + [""]
    write_section(SECTION, body[:-1], NOTES)
