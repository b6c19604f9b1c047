"""`python -m newscorpus`."""

from newscorpus.cli import cli

cli()
