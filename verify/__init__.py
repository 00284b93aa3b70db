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
from importlib import metadata as _metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # real types for mypy and IDEs; at run time the names load on first use
    from .checker import check, check_library
    from .derivations import derive
    from .verdict import Counterexample, InternalConsistencyError, Report, Verdict

try:
    __version__ = _metadata.version("skd")
except _metadata.PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["check", "check_library", "derive", "Report", "Verdict", "Counterexample", "InternalConsistencyError",
           "__version__"]

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
