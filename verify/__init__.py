"""skd.verify — the machinery: provers, refuters, certification, reports, derivations, CLI.

``skd.verify.check(op) -> Report`` is the Python face of ``skd check`` and
``skd.verify.derive(op) -> Derivation`` that of ``skd derive``. Names are imported on first
use, so that loading the package (for instance as the pytest plugin) stays cheap.

>>> from skd.verify import check, derive
>>> callable(check), callable(derive)
(True, True)
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["check", "check_library", "derive", "Report", "Verdict", "Counterexample", "InternalConsistencyError"]

_WHERE = {
    "check": ".checker",
    "check_library": ".checker",
    "derive": ".derivations",
    "Report": ".verdict",
    "Verdict": ".verdict",
    "Counterexample": ".verdict",
    "InternalConsistencyError": ".verdict",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
