import os

# one BLAS thread (set before NumPy is imported): the experiments' matrices are small (Newton fits of
# 48 x 48), and OpenBLAS's extra threads only spin: the pruning experiment took 85 s of CPU for 43 s
# wall with two threads, 40 s for 40 s with one (AMD EPYC, 2026-12-07). A value the caller set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .run_all import main  # noqa: E402 - after the environment is set

raise SystemExit(main())
