"""parse_block: pasted text with commas, comments and blank lines; every bad line reported."""
from app.addresses import codes, parse_block


def test_block_reports_every_bad_line_with_its_number():
    block = parse_block(
        "39.32.12.0/24, 39.32.13.5\n"
        "# office VPN\n"
        "\n"
        "010.1.1.1   # typo\n"
        "2400:adc0::1,1.2.3\r\n"
        "39.32.12.5/24\n")
    assert [(n, raw) for n, raw, _ in block.ranges] == [
        (1, "39.32.12.0/24"), (1, "39.32.13.5"), (5, "2400:adc0::1")]
    assert [(n, raw, e.code) for n, raw, e in block.errors] == [
        (4, "010.1.1.1", codes.LEADING_ZERO),
        (5, "1.2.3", codes.SHORT_FORM),
        (6, "39.32.12.5/24", codes.HOST_BITS)]
    assert not block.ok


def test_empty_block_is_ok_and_empty():
    block = parse_block("\n  # nothing here\n")
    assert block.ok and block.ranges == [] and block.errors == []
