from dataclasses import FrozenInstanceError

import pytest

from indexer.errors import TipsearchError
from indexer.settings import DEFAULTS, Settings, described
from tests.conftest import ROOT

OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_with_its_default():
    for name, variable, default, help_text in described():
        assert help_text, name
        assert f"| `{name}` | `{variable}` | {default} | {help_text} |" in OPERATIONS, name


def test_the_environment_is_read_once_into_a_frozen_object():
    settings = Settings.from_environment({"TIPSEARCH_PAGE_SIZE": "25", "TIPSEARCH_INDEX": "/srv/ix"})
    assert settings.page_size == 25 and str(settings.index) == "/srv/ix"
    assert Settings.from_environment({}) == DEFAULTS and DEFAULTS.page_size == 10
    with pytest.raises(FrozenInstanceError):
        settings.page_size = 5


def test_bad_environment_value_names_the_variable():
    with pytest.raises(TipsearchError, match="TIPSEARCH_PAGE_SIZE must be int, not 'many'"):
        Settings.from_environment({"TIPSEARCH_PAGE_SIZE": "many"})


def test_trusted_hosts_are_a_comma_separated_list():
    assert Settings(trusted_hosts=" a.example, b.example ,").hosts() == ["a.example", "b.example"]
    assert DEFAULTS.hosts() == []
