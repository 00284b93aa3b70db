"""``check(op) -> Report``: one verdict per axiom, each obligation under a time budget.

For every axiom of the profile:

1. the symbolic prover of the axiom for the operator's kind (:mod:`skd.verify.prove`) runs in a
   worker process killed at ``timeout`` seconds (vector operators: ``well_defined`` only, on
   their declared sizes; the other axioms go to the refuter);
2. a ``proved`` verdict is then attacked by the refuter (:mod:`skd.verify.refute`); a certified
   counterexample against a proof raises :class:`InternalConsistencyError` instead of picking
   a side;
3. anything neither proved nor refuted goes to the refuter; what it tried becomes the reason of
   an ``unknown`` verdict.

>>> from skd.operators import library
>>> report = check(library.power, timeout=30, attack_seconds=0.5)
>>> report.qualifies, report.exit_code
(True, 0)
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

from skd.operators import Operator
from skd.operators.errors import InvalidArgument
from skd.operators.kinds import spec_of
from skd.theory.axioms import PROFILES, Profile

from .axioms import prover_for, rules_for
from .budget import MAX_SECONDS, BudgetExceeded, WorkerError, publish, run_parallel, run_with_budget
from .sampling import fixed_values
from .verdict import InternalConsistencyError, ReasonKind, Report, Verdict, operator_json

__all__ = ["check", "check_many", "check_axiom", "as_operator", "check_library", "load_expected_matrix",
           "compare_with_expected", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 20.0
Progress = Callable[[str, str | None], None]


class _Shared:
    """A prover outcome together with the outcomes :func:`skd.verify.prove.prove` memoised while
    computing it (the lemmas it proved on the way), for the other axioms of the same check."""

    __slots__ = ("outcome", "entries")

    def __init__(self, outcome: Any, entries: dict[Any, Any]) -> None:
        self.outcome = outcome
        self.entries = entries


def _prove_job(axiom_id: str, op: Operator, profile_name: str, shared: Mapping[Any, Any] | None = None) -> Any:
    """``prove(axiom_id, op, profile)``. With ``shared`` (outcomes other axioms of this check
    already computed, keyed as ``prove`` memoises them) those are not computed again, and the
    result is a :class:`_Shared` carrying what this call memoised in turn."""
    from . import prove as P

    if shared is None:
        return P.prove(axiom_id, op, PROFILES[profile_name])
    P.seed_memo(shared)
    before = P.memo_keys()
    out = P.prove(axiom_id, op, PROFILES[profile_name])
    return _Shared(out, P.memo_since(before))


def _refute_job(axiom_id: str, op: Operator, profile_name: str, seed: int, seconds: float,
                values: Mapping[str, Any] | None) -> Any:
    from .refute import refute

    return refute(op, axiom_id, profile=profile_name, seed=seed, seconds=seconds, values=values)


#: Modules every obligation worker needs. :func:`check` imports them once in the calling process
#: before it forks its workers, so the up to 14 workers of one operator (a prover and a refuter
#: per axiom) inherit them instead of each importing them again (about 0.1-0.3 s per worker:
#: the provers, the kernel, the certifier, Hypothesis and the parts of NumPy/SymPy they load on
#: first use). Importing changes no result: the same code runs, only where the import happens
#: moves. ``import skd.verify.checker`` loads the axiom registry (which of an axiom's provers
#: exist per kind: the rules, the provers and the certifier, ~0.1 s on top of ~0.4 s for
#: ``skd.operators``, AMD EPYC) but not the kernel, Hypothesis or the rest (first check).
_WORKER_MODULES = (
    "skd.verify.prove", "skd.verify.kernel", "skd.verify.refute", "skd.verify.certify",
    "hypothesis", "hypothesis.strategies", "hypothesis.control",
    "hypothesis.internal.conjecture.optimiser", "hypothesis.strategies._internal.random",
    "numpy.random", "numpy.ma", "sympy.sets.setexpr",
)
_preloaded = False


def _preload() -> None:
    """Import :data:`_WORKER_MODULES` in this process (once); a module that is missing (another
    Hypothesis version lays its internals out differently) is simply left to the workers."""
    global _preloaded
    if _preloaded:
        return
    import importlib

    for name in _WORKER_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    try:
        # Hypothesis collects the constants of the project's own modules (it draws from them)
        # the first time it runs in a process, and again only when sys.modules has grown:
        # computed here once, on the same modules the workers have, instead of in each worker
        from hypothesis.internal.conjecture.providers import _get_local_constants

        _get_local_constants()
    except Exception:  # noqa: BLE001 - another Hypothesis version: the workers compute it
        pass
    _preloaded = True




def _check_one(op: Operator, axiom_id: str, profile: Profile, timeout: float, seed: int,
               attack_seconds: float, values: Mapping[str, Any] | None,
               shared: Mapping[Any, Any] | None = None) -> Verdict:
    start = time.monotonic()
    outcome = None
    note = ""
    # reason_kind is decided by what happened (the exception types), never by message text.
    budget_hit = False
    has_prover = prover_for(axiom_id, op.kind) is not None
    if has_prover and not values:
        try:
            if shared is None:
                outcome = run_with_budget(_prove_job, (axiom_id, op, profile.name), seconds=timeout)
            else:
                outcome = run_with_budget(_prove_job, (axiom_id, op, profile.name, shared), seconds=timeout)
            if isinstance(outcome, _Shared):
                entries, outcome = outcome.entries, outcome.outcome
                if entries:
                    # to the checking process, for the axioms it starts from now on; sharing only
                    # saves time, so a failure to publish changes no verdict
                    with contextlib.suppress(Exception):
                        publish(entries)
        except BudgetExceeded as exc:
            budget_hit = True
            note = f"symbolic prover killed at its budget of {exc.seconds:g} s"
        except WorkerError as exc:
            note = f"symbolic prover failed ({exc.kind})"
        except InternalConsistencyError:
            raise
        except Exception as exc:  # noqa: BLE001 - any prover failure is an honest unknown
            note = f"symbolic prover failed ({type(exc).__name__}: {str(exc)[:200]})"
    else:
        note = (f"{op.kind} operators are decided by certified counterexample search only"
                if not has_prover else "fixed parameter values: refuter only")
    if outcome is not None and outcome.status == "refuted":
        return Verdict(axiom_id, "refuted", outcome.method, "full", counterexample=outcome.counterexample,
                       seconds=time.monotonic() - start)
    search_seconds = attack_seconds if (outcome is not None and outcome.status == "proved") else max(1.0, min(timeout, 10.0))
    try:
        found = run_with_budget(_refute_job, (axiom_id, op, profile.name, seed, search_seconds, values),
                                seconds=search_seconds + 30.0)
    except BudgetExceeded as exc:
        found = None
        budget_hit = True
        note += ("; " if note else "") + f"refuter killed at its budget of {exc.seconds:g} s"
    except (WorkerError, ImportError) as exc:
        found = None
        note += ("; " if note else "") + f"refuter did not finish ({type(exc).__name__}: {str(exc)[:200]})"
    except Exception as exc:  # noqa: BLE001 - a refuter failure is no counterexample, never a crash
        found = None
        note += ("; " if note else "") + f"refuter failed ({type(exc).__name__}: {str(exc)[:200]})"
    from .verdict import Counterexample

    if outcome is not None and outcome.status == "proved":
        if isinstance(found, Counterexample):
            contract = ("; an operator declared by an algorithm also gets here when the algorithm computes "
                        "different functions in different arithmetics (it must not depend on the type or name of "
                        "`ar`: docs/adding-an-operator.md)") if op.algorithm is not None else ""
            raise InternalConsistencyError(
                f"{op.name}/{axiom_id}: proved by '{outcome.method}' but the refuter certified a counterexample: "
                f"{json.dumps(found.to_json())}{contract}"
            )
        # the scope the prover proved (a vector operator: its declared sizes), never widened here
        return Verdict(axiom_id, "proved", outcome.method, outcome.scope, certificate=tuple(outcome.steps),
                       seconds=time.monotonic() - start)
    if isinstance(found, Counterexample):
        return Verdict(axiom_id, "refuted", "certified counterexample search", "full", counterexample=found,
                       seconds=time.monotonic() - start)
    parts = []
    kind: ReasonKind = "undecided"
    if outcome is not None:
        parts.append(f"prover: {outcome.reason}")
        kind = outcome.reason_kind or kind
    if note:
        parts.append(note)
    if budget_hit:
        kind = "budget"
    elif not has_prover and kind == "undecided":
        kind = "unsupported"
    if found is not None:
        parts.append(f"refuter: {getattr(found, 'summary', None) or found}")
    return Verdict(axiom_id, "unknown", "prover and refuter", spec_of(op).scope(op), reason="; ".join(parts),
                   reason_kind=kind, seconds=time.monotonic() - start)


def as_operator(op: Operator | str) -> Operator:
    """``op`` itself, a built-in operator named by ``op``, or a separable score parsed from ``op``.

    >>> as_operator("power").name, as_operator("x**2 + 1").kind
    ('power', 'separable')
    """
    if isinstance(op, Operator):
        return op
    if isinstance(op, str):
        from skd.operators import library, separable

        if op in {o.name for o in library.ALL}:
            return library.get(op)
        return separable(op, name="custom")
    raise InvalidArgument("op", op, "must be an Operator (see skd.operators.separable / vector), "
                          "a built-in operator name or a score string such as 'x**(1/T)'")


def _validated_profile(op: object, profile: Any, timeout: Any) -> Profile:
    """The arguments :func:`check` and :func:`check_axiom` share, validated once."""
    if not isinstance(op, Operator):
        raise InvalidArgument("op", op, "must be an Operator (see skd.operators.separable / vector)")
    if not isinstance(profile, str) or profile not in PROFILES:
        raise InvalidArgument("profile", profile, f"choose from {sorted(PROFILES)}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (0 < timeout <= MAX_SECONDS):
        raise InvalidArgument("timeout", timeout, f"must be a number of seconds > 0 and <= {MAX_SECONDS:g}")
    return PROFILES[profile]


def check(op: Operator | str, *, profile: str = "paper", timeout: float = DEFAULT_TIMEOUT, seed: int = 0,
          values: Mapping[str, Any] | None = None, progress: Progress | None = None,
          attack_seconds: float = 1.0, jobs: int = 2) -> Report:
    """Check every axiom of ``profile`` for ``op``: one verdict per axiom, in a :class:`Report`.

    ``op`` is an :class:`~skd.operators.Operator`, the name of a built-in operator (``"power"``)
    or a separable score in ``x``, ``T``, ``V`` (``"x**(1/T)"``, parsed safely, never evaluated).
    Each axiom is first given to the symbolic prover (separable operators), in a worker process
    killed after ``timeout`` seconds; a proof is then attacked by the refuter for
    ``attack_seconds``; anything not proved is searched for a certified counterexample.

    * ``profile``: ``"paper"`` (default), ``"closed"`` or ``"weak"`` (``skd.theory.axioms.PROFILES``);
    * ``seed``: the refuter's seed (verdicts do not depend on it, only the search order);
    * ``values``: fixed values for named parameters (then only the refuter runs);
    * ``progress``: called as ``progress(axiom, None)`` when an axiom starts and
      ``progress(axiom, status)`` when it ends;
    * ``jobs``: axioms checked at the same time, each in its own worker process.

    The result has ``qualifies`` (every axiom proved with full scope), ``exit_code`` (0
    qualifies, 1 refuted, 3 undecided), ``verdicts`` and ``verdict(axiom)``; ``report.dumps()``
    gives the JSON of ``verify/data/report.schema.json``.

    >>> report = check("x**(1/T)", timeout=30, attack_seconds=0.2)
    >>> report.qualifies, report.verdict("identity").status
    (True, 'proved')
    """
    return check_many([op], profile=profile, timeout=timeout, seed=seed, values=values,
                      progress=(lambda _op, a, st: progress(a, st)) if progress else None,
                      attack_seconds=attack_seconds, jobs=jobs)[0]


class _Plan:
    """The axioms of one operator's check, in the order they are started, and what they share:
    prover outcomes (well_defined is a lemma of five others, ranking and continuity of entropy)
    that a worker publishes and every axiom started afterwards gets as an argument instead of
    proving them again. The entries are exactly what ``prove`` returns for the same key (a pure
    function of the axiom, the operator's definition and the profile), so they change no
    verdict: an axiom started before an entry arrived just computes it itself."""

    def __init__(self, op: Operator, prof: Profile, values: Mapping[str, Any] | None) -> None:
        self.op = op
        self.ids = [a.id for a in prof.axioms]
        proved_here = not values and any(prover_for(a, op.kind) is not None for a in self.ids)
        self.shared: dict[Any, Any] | None = {} if proved_here else None
        # Started in this order (the report keeps the profile's): the axioms whose proofs cite no
        # g > 0 lemma (well_defined, which is that lemma, and identity) first.
        self.order = list(range(len(self.ids)))
        if self.shared is not None:
            first = [k for k in self.order if not rules_for(self.ids[k]).needs_positive_score]
            self.order = first + [k for k in self.order if k not in first]
        # An axiom that cites a lemma (the positivity lemma well_defined; entropy: ranking and
        # continuity too) waits while the lemma's own job runs (a free worker takes an axiom that
        # does not, of this operator or the next, or idles): started earlier it would prove the
        # lemma a second time (entmax15: ~14 s of the kernel instantiating its theorem on V <= 5,
        # once for well_defined and again for continuity). Once the lemma is published, or its job
        # ended without publishing (killed at its budget), the waiting axioms start.
        lemma = [a for a in self.ids if rules_for(a).provides_positive_score]
        self.cited: dict[str, set[str]] = {
            a: ((set(lemma) if rules_for(a).needs_positive_score else set()) | (set(rules_for(a).cites) & set(self.ids))) - {a}
            for a in self.ids} if self.shared is not None else {a: set() for a in self.ids}
        self.settled: set[str] = set()

    def axiom(self, i: int) -> str:
        return self.ids[self.order[i]]

    def ready(self, i: int) -> bool:
        return self.cited[self.axiom(i)] <= self.settled

    def merge(self, i: int, entries: Any) -> None:
        self.settled.add(self.axiom(i))
        if self.shared is not None and isinstance(entries, dict):
            for key, out in entries.items():
                self.shared.setdefault(key, out)

    def done(self, i: int) -> None:
        self.settled.add(self.axiom(i))


def check_many(ops: Sequence[Operator | str], *, profile: str = "paper", timeout: float = DEFAULT_TIMEOUT,
               seed: int = 0, values: Mapping[str, Any] | None = None,
               progress: Callable[[Operator, str, str | None], None] | None = None,
               attack_seconds: float = 1.0, jobs: int = 2) -> list[Report]:
    """:func:`check` for several operators at once, one report each (in the order given): their
    axioms share the ``jobs`` workers, so an axiom of the next operator runs while an axiom of
    this one waits for its lemma. ``progress(op, axiom, status)`` as in :func:`check`.

    >>> reports = check_many(["x**(1/T)", "x**(2/T)"], timeout=30, attack_seconds=0.2)
    >>> [r.exit_code for r in reports], reports[1].verdict("identity").status   # F_1(p) = p**2/sum p**2
    ([0, 1], 'refuted')
    """
    operators = [as_operator(op) for op in ops]
    profs = [_validated_profile(op, profile, timeout) for op in operators]
    for op in operators:
        fixed_values(op, values)  # unknown names, values outside the declared domains: InvalidArgument now
    _preload()
    plans = [_Plan(op, prof, values) for op, prof in zip(operators, profs, strict=True)]
    # The axioms that cite no lemma (each operator's well_defined, identity ...) of every operator
    # first, then the rest in operator order: a lemma's job starts as early as possible, so the axioms
    # waiting for it (entmax15's five wait for its ~9-s well_defined) do not end the run alone. Only
    # the start order changes (the reports keep the profile's order); ``ready`` still holds back an
    # axiom whose lemma has not settled.
    where = sorted(((n, i) for n, plan in enumerate(plans) for i in range(len(plan.ids))),
                   key=lambda w: bool(plans[w[0]].cited[plans[w[0]].axiom(w[1])]))
    jobs_ = [(_check_one, (plans[n].op, plans[n].axiom(i), profs[n], timeout, seed, attack_seconds, values,
                           plans[n].shared)) for n, i in where]

    def on_start(j: int) -> None:
        n, i = where[j]
        if progress:
            progress(plans[n].op, plans[n].axiom(i), None)

    def on_done(j: int, v: Verdict) -> None:
        n, i = where[j]
        plans[n].done(i)
        if progress:
            progress(plans[n].op, plans[n].axiom(i), v.status)

    def on_message(j: int, entries: Any) -> None:
        n, i = where[j]
        plans[n].merge(i, entries)

    def ready(j: int) -> bool:
        n, i = where[j]
        return plans[n].ready(i)

    started = run_parallel(jobs_, workers=max(1, int(jobs)), on_start=on_start, on_done=on_done,
                           on_message=on_message, ready=ready)
    reports = []
    for n, plan in enumerate(plans):
        verdicts: list[Verdict] = [None] * len(plan.ids)  # type: ignore[list-item]
        for j, (m, i) in enumerate(where):
            if m == n:
                verdicts[plan.order[i]] = started[j]
        reports.append(Report(operator=operator_json(plan.op), profile=profile, verdicts=tuple(verdicts), seed=seed))
    return reports


def check_axiom(op: Operator | str, axiom_id: str, *, profile: str = "paper", timeout: float = DEFAULT_TIMEOUT,
                seed: int = 0, attack_seconds: float = 1.0, values: Mapping[str, Any] | None = None) -> Verdict:
    """The verdict of one axiom of ``profile`` for ``op`` (what :func:`check` does per axiom).

    >>> from skd.operators import library
    >>> check_axiom(library.power, "ranking", timeout=30, attack_seconds=0.2).status
    'proved'
    """
    op = as_operator(op)
    prof = _validated_profile(op, profile, timeout)
    fixed_values(op, values)  # unknown names, values outside the declared domains: InvalidArgument now
    ids = [a.id for a in prof.axioms]
    if axiom_id not in ids:
        raise InvalidArgument("axiom_id", axiom_id, f"profile {profile!r} has the axioms {ids}")
    _preload()
    return _check_one(op, axiom_id, prof, timeout, seed, attack_seconds, values)


def check_library(*, profile: str = "paper", timeout: float = DEFAULT_TIMEOUT, seed: int = 0,
                  progress: Progress | None = None, attack_seconds: float = 1.0) -> list[Report]:
    """Check every built-in operator."""
    from skd.operators import library

    return check_many(library.ALL, profile=profile, timeout=timeout, seed=seed, attack_seconds=attack_seconds,
                      progress=(lambda op, a, st: progress(f"{op.name}/{a}", st)) if progress else None)


#: the committed expected matrix of each profile (``verify/data/``)
MATRIX_FILES = {"paper": "expected_matrix.json", "weak": "expected_matrix_weak.json", "closed": "expected_matrix_closed.json"}


def load_expected_matrix(profile: str = "paper") -> dict[str, Any]:
    """The committed expected operator × axiom matrix of ``profile`` (:data:`MATRIX_FILES`).

    >>> load_expected_matrix("weak")["operators"]["entmax15"]["ranking"]
    'proved'
    """
    if profile not in MATRIX_FILES:
        raise InvalidArgument("profile", profile, f"no committed expected matrix; profiles with one: {sorted(MATRIX_FILES)}")
    text = resources.files("skd.verify").joinpath("data", MATRIX_FILES[profile]).read_text(encoding="utf-8")
    matrix: dict[str, Any] = json.loads(text)
    if matrix.get("profile") != profile:
        raise InternalConsistencyError(f"{MATRIX_FILES[profile]} states profile {matrix.get('profile')!r}, not {profile!r}")
    return matrix


def compare_with_expected(reports: list[Report], expected: Mapping[str, Any] | None = None) -> list[str]:
    """Differences between ``reports`` and the expected matrix (empty list: all as expected): the
    status of every cell, and the scope of every proof (``"full"`` unless the matrix's
    ``"scopes"`` states another, e.g. ``"V in {2, 3, 4, 5}"`` for a proof on a vector operator's declared
    sizes): a proof on a narrower scope than expected is a difference, so is a wider one."""
    expected = expected or load_expected_matrix()
    table = expected["operators"]
    scopes = expected.get("scopes", {})
    diffs = []
    seen = set()
    for r in reports:
        name = r.operator["name"]
        seen.add(name)
        want = table.get(name)
        if want is None:
            diffs.append(f"{name}: not in the expected matrix")
            continue
        for v in r.verdicts:
            w = want.get(v.axiom)
            if w != v.status:
                diffs.append(f"{name}/{v.axiom}: expected {w}, got {v.status}")
            elif v.status == "proved" and v.scope != scopes.get(name, {}).get(v.axiom, "full"):
                diffs.append(f"{name}/{v.axiom}: expected proved on {scopes.get(name, {}).get(v.axiom, 'full')}, "
                             f"got proved on {v.scope}")
    for name in table:
        if name not in seen:
            diffs.append(f"{name}: expected in the matrix but not checked")
    return diffs
