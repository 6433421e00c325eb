"""WORKERS sets how many queue workers `make run` starts; a wrong value stops it with a clear message."""
import pytest

from app.config import ConfigError
from app.runtime.launcher import _worker_count


def test_workers_default_to_one_and_take_a_number():
    assert _worker_count({}) == 1
    assert _worker_count({"WORKERS": "4"}) == 4


@pytest.mark.parametrize("value", ["0", "two", "-1", "65", ""])
def test_a_wrong_workers_value_names_the_setting(value):
    with pytest.raises(ConfigError, match="WORKERS="):
        _worker_count({"WORKERS": value})
