"""Start-up settings read from the environment: the batch linger and its refusals."""

import pytest

from yibao.api.settings import (
    BATCH_LINGER_VARIABLE,
    DEFAULT_BATCH_LINGER_MS,
    ServiceSettings,
    batch_linger_ms,
)
from yibao.errors import InputError


def test_the_linger_comes_from_its_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(BATCH_LINGER_VARIABLE, "3.5")
    assert ServiceSettings.from_env().batch_linger_ms == 3.5
    monkeypatch.setenv(BATCH_LINGER_VARIABLE, "0")
    assert ServiceSettings.from_env().batch_linger_ms == 0.0
    monkeypatch.delenv(BATCH_LINGER_VARIABLE)
    assert ServiceSettings.from_env().batch_linger_ms == DEFAULT_BATCH_LINGER_MS


@pytest.mark.parametrize("text", ["-1", "abc", "nan", "inf", "1001"])
def test_a_bad_linger_names_the_variable_the_value_and_the_range(text: str):
    with pytest.raises(InputError) as caught:
        batch_linger_ms(text)
    problem = caught.value.problems[0]
    assert (problem.where, problem.value) == (BATCH_LINGER_VARIABLE, text)
    assert "from 0 to 1000" in problem.message
