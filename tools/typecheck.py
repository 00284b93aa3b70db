"""Type-check skd with mypy under the names the installed package has: ``skd.operators``, ``skd.theory``, ``skd.verify``.

    python tools/typecheck.py operators theory verify   # mypy -p skd.operators -p skd.theory -p skd.verify, with repository paths

Why a script: pyproject maps the folders ``operators/``, ``theory/``, ``verify/`` to ``skd.operators``,
``skd.theory``, ``skd.verify`` (``[tool.setuptools] package-dir``), and the editable install resolves
them through an import hook (``__editable___skd_*_finder``) that mypy does not run, so a plain
``mypy -p skd.operators`` answers "Can't find package". ``mypy operators`` would check the files as
top-level modules ``operators.*`` (and fail on ``verify``'s ``from ..operators import``). This script
links the folders under their package names (``build/mypy-tree/skd/<folder>`` -> ``<folder>``, a
throw-away tree: ``build/`` is git-ignored), runs ``mypy -p skd.<folder> ...`` with that tree on
``MYPYPATH`` and the configuration of ``pyproject.toml`` (``[tool.mypy]``), and prints the findings
with the repository's paths (``operators/jit.py:12: error: ...``). The exit code is mypy's.
Extra arguments after ``--`` go to mypy unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("operators", "theory", "verify")  # pyproject package-dir: folder -> skd.<folder>
TREE = ROOT / "build" / "mypy-tree"


def link_tree() -> Path:
    """``build/mypy-tree/skd/<folder>`` -> ``<folder>`` for every mapped folder (``skd`` stays a namespace package)."""
    pkg = TREE / "skd"
    pkg.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        link = pkg / folder
        target = Path(os.path.relpath(ROOT / folder, pkg))
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target, target_is_directory=True)
    return TREE


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        k = argv.index("--")
        argv, extra = argv[:k], argv[k + 1 :]
    folders = argv or list(FOLDERS)
    unknown = [f for f in folders if f.rstrip("/") not in FOLDERS]
    if unknown:
        print(f"typecheck: unknown folder(s) {unknown}; choose from {list(FOLDERS)}", file=sys.stderr)
        return 2
    tree = link_tree()
    env = dict(os.environ, MYPYPATH=str(tree))
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    for folder in folders:
        cmd += ["-p", f"skd.{folder.rstrip('/')}"]
    proc = subprocess.run(cmd + extra, cwd=ROOT, env=env, capture_output=True, text=True)
    prefixes = [(str(tree / "skd") + os.sep, ""), (os.path.relpath(tree / "skd", ROOT) + os.sep, "")]
    for stream, out in ((proc.stdout, sys.stdout), (proc.stderr, sys.stderr)):
        for line in stream.splitlines():
            for prefix, repl in prefixes:
                if line.startswith(prefix):
                    line = repl + line[len(prefix) :]
                    break
            print(line, file=out)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
