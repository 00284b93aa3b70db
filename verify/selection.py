"""Which operators a command works on: ``NAME``, ``--score EXPR`` or ``--file PATH[:NAME]``.

Shared by ``skd check``/``crosscheck`` (:mod:`skd.verify.cli`) and ``skd derive``
(:mod:`skd.verify.derivations.command`), so neither imports the other for it. A user's file is
input: a failure to import it, or an exception in its vector algorithm, is a :class:`UsageError`
(exit 2) with the traceback, never a crash.

>>> import argparse
>>> select_operators(argparse.Namespace(name="power", score=None, file=None, score_name="custom"))
[Operator('power', separable: x**(1/T))]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import traceback
from pathlib import Path

from ..operators import Operator, library, separable
from ..operators.errors import SkdError, SkdInputError

__all__ = ["UsageError", "select_operators", "load_file_operators"]


class UsageError(SkdError):
    """Bad input or usage: printed as ``skd: error: ...`` and exit code 2."""



# -- selecting operators ------------------------------------------------------------------------


def _split_file_spec(spec: str) -> tuple[Path, str | None]:
    """``PATH[:NAME]`` → (path, name); a path that exists as written is never split."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        return path, None
    head, _, tail = spec.rpartition(":")
    if not tail:
        return Path(head), None
    return Path(head), tail


def load_file_operators(spec: str) -> list[Operator]:
    """Import the Python file of ``PATH[:NAME]`` and return its :class:`Operator` values.

    ``NAME`` is the variable the operator is bound to, or the operator's ``name``. Without
    ``NAME`` every operator defined at module level is returned (in definition order).
    Raises :class:`UsageError` for a missing file, an import that fails, or no match.
    """
    path, wanted = _split_file_spec(spec)
    if path.is_dir():
        raise UsageError(f"--file: {str(path)!r} is a directory; give a Python file (PATH[:NAME])")
    if not path.is_file():
        raise UsageError(f"--file: no such file: {str(path)!r}" + (" (it exists but is not a regular file)" if path.exists() else ""))
    module_name = f"_skd_user_{abs(hash(str(path.resolve())))}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise UsageError(f"--file: cannot import {str(path)!r} as a Python file")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module
    # As when running the file as a script: modules beside it are importable.
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        loader_spec.loader.exec_module(module)
    except SkdInputError as exc:
        raise UsageError(f"--file {path}: {exc}") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's file is input: report, do not crash
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
        raise UsageError(f"--file {path}: importing it raised\n{''.join(tb).rstrip()}") from None
    finally:
        sys.modules.pop(module_name, None)
        if folder in sys.path:
            sys.path.remove(folder)
    found: dict[int, tuple[str, Operator]] = {}
    for var, value in vars(module).items():
        if isinstance(value, Operator) and id(value) not in found:
            found[id(value)] = (var, value)
    if wanted is not None:
        for var, op in found.values():
            if var == wanted:
                return _probed([op], path)
        matches = [(var, op) for var, op in found.values() if op.name == wanted]
        if len(matches) == 1:
            return _probed([matches[0][1]], path)
        if len(matches) > 1:
            raise UsageError(f"--file {path}: {len(matches)} Operators are named {wanted!r} (variables "
                             f"{', '.join(var for var, _ in matches)}); pick one by its variable name, e.g. "
                             f"--file {path}:{matches[0][0]}")
        names = sorted({var for var, _ in found.values()}) or "none"
        raise UsageError(f"--file {path}: no Operator named {wanted!r}; it defines: {names}")
    if not found:
        raise UsageError(f"--file {path}: the file defines no Operator (build one with skd.operators.separable or vector)")
    ops = [op for _, op in found.values()]
    by_name: dict[str, list[str]] = {}
    for var, op in found.values():
        by_name.setdefault(op.name, []).append(var)
    dup = {n: v for n, v in by_name.items() if len(v) > 1}
    if dup:
        n, v = next(iter(dup.items()))
        raise UsageError(f"--file {path}: {len(v)} Operators are named {n!r} (variables {', '.join(v)}); reports "
                         "identify operators by name: give each its own name=, or pick one with PATH:VARIABLE")
    return _probed(ops, path)


def _probed(ops: list[Operator], path: Path) -> list[Operator]:
    """Run each user vector algorithm on a few inputs first, so that an exception in the user's
    code is shown with its traceback (exit 2) instead of ending as 'no counterexample found'."""
    from fractions import Fraction

    from ..operators.arith import ArbArith, Undecided
    from ..operators.errors import NotWellDefined

    for op in ops:
        if op.kind != "vector" or op.algorithm is None:
            continue
        for size in op.sizes[:2]:
            weights = list(range(size, 0, -1))
            p = [Fraction(w, sum(weights)) for w in weights]
            for t in (Fraction(1, 2), Fraction(1), Fraction(2)):
                where = f"--file {path}: operator {op.name!r}: its algorithm(p, T, ar) at V = {size}, T = {t}"
                ar = ArbArith(128)
                try:
                    try:
                        out = op.algorithm(list(p), t, ar)
                    except TypeError:
                        # ar.num(1) / T: an Arb ball does not combine with a Fraction (the other
                        # arithmetics do); the same number as an exact ball, as skd recheck does
                        out = op.algorithm(list(p), ar.num(t), ar)
                except (Undecided, NotWellDefined):
                    continue
                except Exception as exc:  # noqa: BLE001 - the user's code: show it, exit 2
                    tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4)
                    raise UsageError(f"{where} raised (this is an error in the operator's code, not a verdict)\n"
                                     + "".join(tb).rstrip()) from None
                if not isinstance(out, (list, tuple)) or len(out) != size:
                    got = f"a {type(out).__name__}" + (f" of length {len(out)}" if isinstance(out, (list, tuple)) else "")
                    raise UsageError(f"{where} returned {got}; it must return a list of {size} values")
    return ops


def select_operators(args: argparse.Namespace) -> list[Operator] | None:
    """The operators to check, or ``None`` for the whole library."""
    given = [flag for flag, value in (("NAME", args.name), ("--score", args.score), ("--file", args.file)) if value is not None]
    if len(given) > 1:
        raise UsageError(f"give one of NAME, --score, --file (got {' and '.join(given)})")
    if args.score_name != "custom" and args.score is None:
        raise UsageError("--name only applies to --score")
    if args.name is not None:
        try:
            return [library.get(args.name)]
        except SkdInputError as exc:
            raise UsageError(f"NAME: {exc} (or use --score EXPR / --file PATH for your own operator)") from None
    if args.score is not None:
        try:
            return [separable(args.score, name=args.score_name)]
        except SkdInputError as exc:
            flag = "--name" if getattr(exc, "argument", None) == "name" else "--score"
            raise UsageError(f"{flag}: {exc}") from None
    if args.file is not None:
        return load_file_operators(args.file)
    return None
