"""Regenerate the settings table of docs/configuration.md from newscorpus.config.Settings.

    python docs/_generate.py
"""

from pathlib import Path

from newscorpus.config import Settings

DOC = Path(__file__).with_name("configuration.md")
START, END = "<!-- settings table: python docs/_generate.py -->", "<!-- end of settings table -->"

rows = ["| setting | default | meaning |", "|---|---|---|"]
rows += [f"| `{name}` | `{default}` | {help_text} |" for name, default, help_text in Settings.help_table()]
text = DOC.read_text(encoding="utf-8")
before, _, rest = text.partition(START)
_, _, after = rest.partition(END)
DOC.write_text(f"{before}{START}\n" + "\n".join(rows) + f"\n{END}{after}", encoding="utf-8")
