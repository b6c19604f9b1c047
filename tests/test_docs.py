"""The docs mention every CLI command and every setting, with their current defaults; their examples run."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from newscorpus.cli import cli
from newscorpus.config import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def command_paths(group: click.Group, prefix: str = "newscorpus") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths += command_paths(command, path)
        else:
            paths.append(path)
    return paths


def test_docs_cli_lists_every_command() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [path for path in command_paths(cli) if f"## `{path}" not in text]
    assert missing == []


def test_docs_every_command_help_has_an_example() -> None:
    def commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        found: list[tuple[str, click.Command]] = [(prefix, group)]
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found += commands(command, f"{prefix} {name}")
            else:
                found.append((f"{prefix} {name}", command))
        return found

    missing = [path for path, command in commands(cli, "newscorpus")
               if "Example" not in (command.help or "") or "newscorpus" not in (command.help or "")]
    assert missing == []


def test_docs_configuration_lists_every_setting_with_its_default() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name, default, _ in Settings.help_table() if f"| `{name}` | `{default}` |" not in text]
    assert missing == []


def test_docs_spacy_page_examples_print_what_their_comments_say(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs the Python blocks of docs/spacy.md in order, as a reader would paste them, and compares each printed
    line with the `# value` comment on its print call."""
    page = (DOCS / "spacy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    expected = [re.search(r"#\s*(.+)$", line)[1].strip()  # type: ignore[index]
                for block in blocks for line in block.splitlines() if line.startswith(("print(", "    print("))]
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/spacy.md", "exec"), namespace)
    assert capsys.readouterr().out.split("\n")[:-1] == expected
