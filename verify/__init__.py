"""skd.verify — the machinery: provers, refuters, certification, reports, CLI.

``skd.verify.check(op) -> Report`` is the Python face of ``skd check``.

>>> from skd.verify import check
>>> callable(check)
True
"""

from __future__ import annotations

from .checker import check, check_library
from .verdict import Counterexample, InternalConsistencyError, Report, Verdict

__all__ = ["check", "check_library", "Report", "Verdict", "Counterexample", "InternalConsistencyError"]
