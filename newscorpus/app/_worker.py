"""Loaded first in the server that starts analysis workers: each worker is one process per core, so the numeric
libraries under spaCy must not start a thread per core of their own in every worker (on two cores, two workers
each running two BLAS threads were slower than one worker). Then the analysis stage, imported once and shared by
every worker forked from that server."""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import newscorpus.app._analysis  # noqa: E402,F401
