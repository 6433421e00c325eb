"""`flask audit verify` and `flask audit export`, the contract's CLI."""
import json

from tests.conftest import flask_cli


def test_verify_exits_0_on_an_intact_chain_and_1_naming_the_first_broken_event(worker_env, chain, tamper):
    events = chain(4)
    intact = flask_cli(worker_env, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert f"intact: 4 events, head hash {events[-1].hash}" in intact.stdout

    tamper("UPDATE audit_events SET subject_id = '999' WHERE seq = 2")
    broken = flask_cli(worker_env, "audit", "verify")
    assert broken.returncode == 1
    assert "broken at event 2:" in broken.stderr and "Events 1-1 are intact" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_export_writes_json_lines_oldest_first(app, chain, tmp_path):
    chain(3)
    target = tmp_path / "audit.jsonl"
    result = app.test_cli_runner().invoke(args=["audit", "export", "--format", "jsonl", "--output", str(target)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [(e["seq"], e["action"], e["data"]) for e in lines] == [(i, "test.event", {"n": i}) for i in (1, 2, 3)]
    assert app.test_cli_runner().invoke(args=["audit", "export", "--until", "2000-01-01"]).output == ""
