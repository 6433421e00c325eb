"""`flask whitelist publish` and `flask whitelist export`, as an operator runs them."""
from app.models import WhitelistFile
from app.services.publication import files
from tests.conftest import flask_cli


def whitelist_cli(env, *args):
    return flask_cli(env, "whitelist", *args, text=False)  # bytes: an export is compared with the stored body


def test_publish_prints_the_new_version_then_that_nothing_changed(worker_env, approved_application):
    approved_application(["39.32.0.0/24", "39.32.1.0/24", "2400:adc0::/48"])
    first = whitelist_cli(worker_env, "publish", "--reason", "monthly check")
    assert first.returncode == 0, first.stderr
    assert first.stdout.decode() == "Published whitelist version 1 (3 entries, 2 prefixes).\n"
    again = whitelist_cli(worker_env, "publish")
    assert again.returncode == 0, again.stderr
    assert again.stdout.decode() == "Nothing changed since version 1; no new version.\n"


def test_export_writes_the_exact_stored_bytes(db, app, two_versions, tmp_path, worker_env):
    runner = app.test_cli_runner()
    stored = files.body(db.session.get(WhitelistFile, (1, "txt")).sha256)
    target = tmp_path / "v1.txt"
    result = runner.invoke(args=["whitelist", "export", "--format", "txt", "--serial", "1", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == stored == b"39.32.0.0/24\n39.32.2.0/24\n2400:adc0::/48\n"
    latest = whitelist_cli(worker_env, "export", "--format", "txt")  # stdout, the latest version
    assert latest.returncode == 0, latest.stderr
    assert latest.stdout == files.body(db.session.get(WhitelistFile, (2, "txt")).sha256)


def test_export_refuses_unknown_serials_and_formats_clearly(app, two_versions, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "never.txt"
    unknown = runner.invoke(args=["whitelist", "export", "--format", "txt", "--serial", "9", "--output", str(target)])
    assert unknown.exit_code == 1 and "No whitelist version 9; the latest is 2." in unknown.output
    assert not target.exists()
    bad_format = runner.invoke(args=["whitelist", "export", "--format", "pdf"])
    assert bad_format.exit_code == 2 and "'pdf' is not one of 'txt', 'csv', 'json'" in bad_format.output


def test_export_before_anything_is_published(app):
    result = app.test_cli_runner().invoke(args=["whitelist", "export", "--format", "txt"])
    assert result.exit_code == 1
    assert "Nothing is published yet; run `flask whitelist publish` first." in result.output
