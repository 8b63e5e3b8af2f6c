"""The reference pages say what the code does: every command and option, every setting."""

import re

import click

from tests.conftest import ROOT
from webapp.cli import main

CLI = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def _sections() -> dict[str, str]:
    """``## tipsearch NAME`` -> the text under it."""
    parts = re.split(r"^## tipsearch (\w+)\n", CLI, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_command_reference_names_every_command_and_option():
    sections = _sections()
    assert set(sections) == set(main.commands)
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts:
                    assert f"`{option}" in sections[name], f"tipsearch {name} {option}"


def test_the_readme_points_to_every_reference_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{page.name}" in readme, page.name
