"""Address engine benchmarks, each beside its reference, on seeded synthetic data.

    .venv/bin/python bench/bench_addresses.py            # everything, a few minutes
    .venv/bin/python bench/bench_addresses.py --full     # also netaddr.cidr_merge on all 1M

Every case runs in its own subprocess so its peak memory (max RSS, from wait4) is its own.
Times are for the operation itself, file in -> answer out, without interpreter start-up;
references run as whole processes (iprange) or the same way in Python (netaddr).
"""
import argparse
import itertools
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

sys.path.insert(0, str(REPO_ROOT / "bench"))
from bench_addresses_data import write_data_set  # noqa: E402  (needs the paths above)

SAMPLE_FOR_NETADDR = 100_000
TARGETS = {
    "aggregate": "within 3x of iprange --optimize",
    "query": "within 3x of iprange --common",
    "build": "under 1 s",
    "parse": "at least 170,000 entries/s",
}


# ---- cases: each runs in a child process and returns a dict --------------------------------

def case_baseline(data: Path) -> dict:
    import app.addresses  # noqa: F401  (imports alone: the memory floor of every engine case)
    return {"seconds": 0.0, "note": "import app.addresses only"}


def case_aggregate_engine(data: Path, lines: int = 0) -> dict:
    """File in, file out, as the engine is meant to be used at this size: numpy columns end to end, the
    CIDR text formatted and written a chunk at a time (write_aggregate), never a million strings."""
    from app.addresses import read_columns, write_aggregate
    started = time.perf_counter()
    text = (data / "v4.txt").read_bytes()
    if lines:
        text = text[:_offset_of_line(text, lines)]
    columns = read_columns(text)
    del text
    with open(data / "v4.engine.txt", "wb") as out:
        write_aggregate(out, columns)
    seconds = time.perf_counter() - started
    count, same = _compare_lines(data / "v4.engine.txt", data / "v4.iprange.txt") if not lines else (None, None)
    count = count if count is not None else sum(1 for _ in open(data / "v4.engine.txt", "rb"))
    return {"seconds": seconds, "note": f"{count:,} CIDRs out"
            + ("" if same is None else f"; output identical to iprange: {'yes' if same else 'NO'}")}


def _offset_of_line(text: bytes, lines: int) -> int:
    offset = 0
    for _ in range(lines):
        offset = text.index(b"\n", offset) + 1
    return offset


def _compare_lines(ours: Path, theirs: Path) -> tuple[int, bool | None]:
    """Line by line (both files streamed); iprange writes a /32 as a bare address."""
    if theirs.stat().st_size == 0:
        return sum(1 for _ in open(ours, "rb")), None
    count, same = 0, True
    with open(ours, "rb") as a, open(theirs, "rb") as b:
        for mine, reference in itertools.zip_longest(a, b):
            count += mine is not None
            reference = reference.rstrip(b"\n") if reference is not None else None
            if reference is not None and b"/" not in reference:
                reference += b"/32"
            same &= mine is not None and mine.rstrip(b"\n") == reference
    return count, same


def case_aggregate_cidr_merge(data: Path, lines: int) -> dict:
    import netaddr
    raw = (data / "v4.txt").read_text().splitlines()[:lines]
    started = time.perf_counter()
    merged = netaddr.cidr_merge([netaddr.IPNetwork(line) for line in raw])
    out = "\n".join(str(n) for n in merged)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "note": f"{len(merged):,} CIDRs out, {len(out):,} chars"}


def case_aggregate_v6_engine(data: Path) -> dict:
    from app.addresses import aggregate_columns, read_columns
    started = time.perf_counter()
    result = aggregate_columns(read_columns((data / "v6.txt").read_bytes()))
    return {"seconds": time.perf_counter() - started, "note": f"{len(result):,} CIDRs out"}


def _load_index(data: Path):
    import numpy as np
    from app.addresses import OverlapIndex, read_columns
    columns = read_columns((data / "v4.txt").read_bytes())
    n = len(columns.v4_starts)
    ids = np.arange(n)
    return OverlapIndex.from_columns(np.full(n, 4, np.int8), columns.v4_starts, columns.v4_ends,
                                     ids, ids % 5000, np.where(ids % 3, "approved", "pending"))


def case_query_engine(data: Path) -> dict:
    from app.addresses import AddressRange, read_columns
    index = _load_index(data)
    started = time.perf_counter()
    queries = read_columns((data / "queries.txt").read_bytes())
    hits = hit_queries = 0
    for start, end in zip(queries.v4_starts.tolist(), queries.v4_ends.tolist()):
        found = index.conflicts(AddressRange(4, start, end))
        hits += len(found)
        hit_queries += bool(found)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "note": f"{len(queries):,} queries, {hit_queries:,} with conflicts, "
            f"{hits:,} conflicting entries returned; {index.depth[4]} layers"}


def case_build_engine(data: Path, as_tuples: bool) -> dict:
    import numpy as np
    from app.addresses import OverlapIndex, read_columns
    columns = read_columns((data / "v4.txt").read_bytes())
    n = len(columns.v4_starts)
    ids = np.arange(n)
    states = np.where(ids % 3, "approved", "pending").astype(object)
    if as_tuples:
        rows = list(zip([4] * n, columns.v4_starts.tolist(), columns.v4_ends.tolist(),
                        ids.tolist(), (ids % 5000).tolist(), states.tolist()))
        started = time.perf_counter()
        OverlapIndex.build(rows)
    else:
        started = time.perf_counter()
        OverlapIndex.from_columns(np.full(n, 4, np.int8), columns.v4_starts, columns.v4_ends,
                                  ids, ids % 5000, states)
    return {"seconds": time.perf_counter() - started,
            "note": f"{n:,} rows as {'tuples (version, start, end, app, applicant, state)' if as_tuples else 'numpy columns'}"}


def case_build_v6_engine(data: Path) -> dict:
    from app.addresses import OverlapIndex, read_columns
    ranges = read_columns((data / "v6.txt").read_bytes()).others
    rows = [(6, r.start, r.end, i, i % 5000, "pending") for i, r in enumerate(ranges)]
    started = time.perf_counter()
    OverlapIndex.build(rows)
    return {"seconds": time.perf_counter() - started, "note": f"{len(rows):,} IPv6 rows as tuples"}


def case_parse_engine(data: Path) -> dict:
    from app.addresses import parse_entry
    entries = (data / "mixed.txt").read_text().splitlines()
    started = time.perf_counter()
    for text in entries:
        parse_entry(text)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rate": len(entries) / seconds,
            "note": f"{len(entries):,} entries: {len(entries) / seconds:,.0f}/s"}


def case_parse_netaddr(data: Path, lines: int) -> dict:
    import netaddr
    entries = (data / "mixed.txt").read_text().splitlines()[:lines]
    started = time.perf_counter()
    for text in entries:
        if "-" in text:
            first, last = text.split("-")
            netaddr.IPRange(netaddr.IPAddress(first.strip(), flags=netaddr.INET_PTON),
                            netaddr.IPAddress(last.strip(), flags=netaddr.INET_PTON))
        elif "/" in text:
            netaddr.IPNetwork(text)       # strict form in netaddr 1.x, but keeps host bits
        else:
            netaddr.IPAddress(text, flags=netaddr.INET_PTON)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rate": len(entries) / seconds,
            "note": f"{len(entries):,} entries: {len(entries) / seconds:,.0f}/s (not strict about host bits)"}


def case_parse_inet_pton(data: Path) -> dict:
    from socket import AF_INET, AF_INET6, inet_pton
    entries = (data / "mixed.txt").read_text().splitlines()
    started = time.perf_counter()
    for text in entries:
        for part in text.partition("/")[0].split("-"):
            inet_pton(AF_INET6 if ":" in part else AF_INET, part.strip())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rate": len(entries) / seconds,
            "note": f"{len(entries):,} entries: {len(entries) / seconds:,.0f}/s (addresses only, no checks)"}


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


# ---- driver ------------------------------------------------------------------------------

def run_child(case: str, data: Path, extra: dict) -> dict:
    command = [sys.executable, __file__, "--child", case, "--data", str(data),
               "--args", json.dumps(extra)]
    process = subprocess.run(command, capture_output=True, text=True)
    if process.returncode:   # one broken case must not hide the others' figures
        return {"failed": process.stderr.strip().splitlines()[-1:]}
    return json.loads(process.stdout.strip().splitlines()[-1])


def own_peak_mb() -> float:
    """This process's high-water RSS. VmHWM belongs to the address space made at exec, so,
    unlike ru_maxrss, it does not inherit the parent's size through fork."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_iprange(args: list[str], output: Path) -> dict:
    """Wall time and peak RSS of one iprange run (peak via GNU time when it is installed)."""
    gnu_time = shutil.which("time")
    report = output.with_suffix(".rss")
    prefix = [gnu_time, "-f", "%M", "-o", str(report)] if gnu_time else []
    with open(output, "wb") as out:
        started = time.perf_counter()
        subprocess.run([*prefix, "iprange", *args], stdout=out, check=True)
        seconds = time.perf_counter() - started
    peak = int(report.read_text().split()[-1]) / 1024 if gnu_time else float("nan")
    return {"seconds": seconds, "peak_mb": peak,
            "note": "" if gnu_time else "peak unknown: GNU time not installed"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="netaddr.cidr_merge on all 1M too")
    parser.add_argument("--child")
    parser.add_argument("--data")
    parser.add_argument("--args", default="{}")
    options = parser.parse_args()
    if options.child:
        result = CASES[options.child](Path(options.data), **json.loads(options.args))
        result["peak_mb"] = own_peak_mb()
        print(json.dumps(result))
        return

    data = Path(tempfile.mkdtemp(prefix="bench_addresses_"))
    try:
        started = time.perf_counter()
        summary = write_data_set(data)
        print(f"data: {summary} ({time.perf_counter() - started:.1f} s to generate)\n")
        rows = run_all(data, options.full)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print_table(rows)


def run_all(data: Path, full: bool) -> list[tuple]:
    have_iprange = shutil.which("iprange") is not None
    rows = []

    def add(group, label, result, reference=None):
        if "failed" in result:
            print(f"  {label}: FAILED {result['failed']}")
            return
        rows.append((group, label, result, reference))
        print(f"  {label}: {result.get('seconds', 0):.3f} s", flush=True)

    add("memory", "engine imports (floor of every engine case)", run_child("baseline", data, {}))
    if have_iprange:
        ip_agg = run_iprange(["--optimize", str(data / "v4.txt")], data / "v4.iprange.txt")
        add("aggregate", "iprange --optimize, 1M IPv4 (C reference)", ip_agg)
    else:
        ip_agg = None
        print("  iprange not installed (apt-get install -y iprange): C references skipped")
        (data / "v4.iprange.txt").write_bytes(b"")
    add("aggregate", "engine: read_columns + aggregate_columns, 1M IPv4",
        run_child("aggregate_engine", data, {}), ip_agg)
    add("aggregate", f"engine, first {SAMPLE_FOR_NETADDR:,} lines",
        run_child("aggregate_engine", data, {"lines": SAMPLE_FOR_NETADDR}))
    add("aggregate", f"netaddr.cidr_merge, first {SAMPLE_FOR_NETADDR:,} lines",
        run_child("aggregate_cidr_merge", data, {"lines": SAMPLE_FOR_NETADDR}))
    if full:
        add("aggregate", "netaddr.cidr_merge, 1M IPv4", run_child("aggregate_cidr_merge", data,
                                                                 {"lines": 10**7}))
    add("aggregate", "engine: 200k IPv6 (no C reference: iprange is IPv4 only)",
        run_child("aggregate_v6_engine", data, {}))

    ip_query = None
    if have_iprange:
        ip_query = run_iprange([str(data / "v4.txt"), "--common", str(data / "queries.txt")],
                               data / "common.txt")
        add("query", "iprange --common (1M file, 100k file)", ip_query)
    add("query", "engine: 100k OverlapIndex.conflicts() on 1M entries",
        run_child("query_engine", data, {}), ip_query)

    add("build", "engine: OverlapIndex.build(1M tuples)",
        run_child("build_engine", data, {"as_tuples": True}), {"seconds": 1.0})
    add("build", "engine: OverlapIndex.from_columns(1M numpy)",
        run_child("build_engine", data, {"as_tuples": False}), {"seconds": 1.0})
    add("build", "engine: OverlapIndex.build(200k IPv6 tuples)", run_child("build_v6_engine", data, {}))

    add("parse", "socket.inet_pton loop (floor, no checks)", run_child("parse_inet_pton", data, {}))
    add("parse", f"netaddr INET_PTON, first {SAMPLE_FOR_NETADDR:,}",
        run_child("parse_netaddr", data, {"lines": SAMPLE_FOR_NETADDR}))
    add("parse", "engine: parse_entry, 1M mixed", run_child("parse_engine", data, {}),
        {"rate": 170_000})
    return rows


def verdict(group: str, result: dict, reference: dict | None) -> str:
    if reference is None:
        return ""
    if "rate" in reference:
        ok = result["rate"] >= reference["rate"]
        return f"{'MET' if ok else 'MISSED'} ({TARGETS[group]})"
    ratio = result["seconds"] / reference["seconds"]
    limit = 1.0 if group == "build" else 3.0
    return f"{ratio:.2f}x ref: {'MET' if ratio <= limit else 'MISSED'} ({TARGETS[group]})"


def print_table(rows) -> None:
    print()
    print(f"{'case':<58} {'time s':>8} {'peak MB':>8}  verdict / notes")
    print("-" * 120)
    for group, label, result, reference in rows:
        line = f"{label:<58} {result.get('seconds', 0):>8.3f} {result['peak_mb']:>8.1f}  "
        print(line + " ".join(filter(None, [verdict(group, result, reference),
                                            result.get("note", "")])))


if __name__ == "__main__":
    main()
