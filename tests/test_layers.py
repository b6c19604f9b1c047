"""Every module's imports follow the layering of STYLE.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import newscorpus

PACKAGE = Path(newscorpus.__file__).parent
BASE = {"errors", "models", "config"}
# What each part of the package may import from newscorpus (besides the base and itself).
ALLOWED = {
    "base": set(),
    "crawler": set(),
    "nlp": set(),
    "corpus": set(),
    "app": {"crawler", "nlp", "corpus"},
    "cli": {"app", "corpus", "package", "web"},
    "api": {"app", "corpus"},
    "web": {"app", "corpus"},
    "main": {"cli"},
    "package": {"api"},
}


def part_of(module: str) -> str:
    """The layer of a dotted module name inside newscorpus."""
    parts = module.split(".")[1:]
    if not parts:
        return "package"
    head = parts[0]
    if head in BASE:
        return "base"
    if head == "__main__":
        return "main"
    return "package" if head.startswith("__") else head


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "newscorpus":
            found.update(f"newscorpus.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_layers_imports_follow_the_rules() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        own = part_of(module) if module != "newscorpus" else "package"
        for imported in imports_of(path):
            if not imported.startswith("newscorpus"):
                if imported.split(".")[0] in {"spacy", "psycopg"} and own not in {"nlp", "corpus"}:
                    violations.append(f"{module} imports {imported}")
                continue
            target = part_of(imported)
            if target in ("base", own) or target in ALLOWED[own]:
                continue
            violations.append(f"{module} ({own}) imports {imported} ({target})")
    assert violations == []


def test_layers_import_newscorpus_is_light() -> None:
    code = "import sys, newscorpus, newscorpus.config, newscorpus.models; print('spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_layers_help_and_search_load_no_spacy_arrow_or_scipy(tmp_path: Path) -> None:
    from newscorpus.corpus import SearchIndex, open_store

    open_store(tmp_path, create=True).close()
    SearchIndex(tmp_path).close()
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from newscorpus.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        f"result = CliRunner().invoke(cli, ['--data', {str(tmp_path)!r}, 'search', 'flood', '--place', 'Kenya',\n"
        "                                   '--law', 'PECA', '--facets', 'law'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('spacy', 'pyarrow', 'scipy', 'datasketch') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
