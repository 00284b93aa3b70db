"""``python -m skd`` runs the ``skd`` command line (this folder is the ``skd`` namespace
package's own portion: it holds no ``__init__.py``, so ``skd`` stays a namespace package)."""

from __future__ import annotations

from skd.verify.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
