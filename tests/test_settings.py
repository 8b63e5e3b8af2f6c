from pathlib import Path

import pytest

from indexer import settings
from indexer.errors import TipsearchError

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    for name, setting in settings.SETTINGS.items():
        assert setting.help
        assert f"`TIPSEARCH_{name.upper()}`" in README, name


def test_environment_overrides_default(monkeypatch):
    monkeypatch.setenv("TIPSEARCH_PAGE_SIZE", "25")
    assert settings.get("page_size") == 25
    monkeypatch.delenv("TIPSEARCH_PAGE_SIZE")
    assert settings.get("page_size") == 10


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("TIPSEARCH_PAGE_SIZE", "many")
    with pytest.raises(TipsearchError, match="TIPSEARCH_PAGE_SIZE"):
        settings.get("page_size")
