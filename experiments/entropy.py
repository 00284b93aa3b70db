"""Entropy of ``F_T(p)`` against ``T`` for every built-in operator (``library.ALL``).

Fixed teacher ``p = (0.5, 0.3, 0.15, 0.05)`` (V = 4, within every vector operator's declared sizes),
``T`` on a log grid over [0.01, 100]. An operator is reported *monotone* when the entropy is
non-decreasing along the whole grid (tolerance 1e-12), *strictly increasing for T ≥ 1* when
every step from T = 1 on increases it by more than 1e-12, and *flat for T ≤ 1* when it does not change there.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from . import common

P = (0.5, 0.3, 0.15, 0.05)
T_MIN, T_MAX, N_T = 0.01, 100.0, 161
TOL = 1e-12


def _entropy(q: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(q > 0, -q * np.log(np.where(q > 0, q, 1.0)), 0.0)
    return t.sum(axis=-1)


def run() -> dict[str, Any]:
    from skd.operators import evaluate, library

    Ts = np.exp(np.linspace(math.log(T_MIN), math.log(T_MAX), N_T))
    p = np.array(P)
    ops = {}
    for op in library.ALL:
        common.progress(f"entropy: {op.name}")
        H = np.array([_entropy(evaluate.apply(op, p, float(T))) for T in Ts])
        dH = np.diff(H)
        cold = Ts[1:] <= 1.0
        ops[op.name] = {
            "H": H,
            "monotone": bool(np.all(dH >= -TOL)),
            "strict_T_ge_1": bool(np.all(dH[Ts[:-1] >= 1.0] > TOL)),
            "flat_T_le_1": bool(np.all(np.abs(dH[cold]) <= TOL)),
            "largest_decrease": float(max(0.0, -dH.min())),
            "H_min": float(H.min()),
            "H_max": float(H.max()),
            "H_at_1": float(H[np.argmin(np.abs(Ts - 1.0))]),
            "support_at_Tmax": int(np.count_nonzero(evaluate.apply(op, p, float(Ts[-1])) > 0)),
        }
    return common.clean({"names": [op.name for op in library.ALL], "p": P, "T": Ts, "H_p": float(_entropy(p)), "log_V": math.log(len(P)), "ops": ops})


def figure(res: dict[str, Any]) -> list[str]:
    plt = common.pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    styles = ["-", "--", "-.", ":"]
    for i, name in enumerate(res["names"]):
        o = res["ops"][name]
        tag = "monotone" if o["monotone"] else "NOT monotone"
        ax.plot(res["T"], o["H"], styles[i % 4], lw=1.6, color=f"C{i}", label=f"{name} ({tag})")
    ax.axhline(res["log_V"], color="grey", lw=0.8, ls=":")
    ax.axhline(res["H_p"], color="grey", lw=0.8, ls="-.")
    ax.text(res["T"][0], res["log_V"], " log V", va="bottom", fontsize=7, color="grey")
    ax.text(res["T"][0], res["H_p"], " H(p)", va="bottom", fontsize=7, color="grey")
    ax.set_xscale("log")
    ax.set_xlabel("temperature T (log scale)")
    ax.set_ylabel(r"entropy $H(F_T(p))$ [nats]")
    ax.set_title("p = (0.5, 0.3, 0.15, 0.05)")
    ax.legend(fontsize=7, loc="lower right")
    return [str(common.savefig(fig, "entropy.png"))]


def markdown(res: dict[str, Any]) -> str:
    f = common.fmt
    yn = lambda b: "yes" if b else "no"
    rows = "\n".join(
        f"| `{n}` | {yn(o['monotone'])} | {yn(o['strict_T_ge_1'])} | {yn(o['flat_T_le_1'])} | {f(o['largest_decrease'], 3)} | "
        f"{f(o['H_min'], 4)} | {f(o['H_max'], 4)} | {o['support_at_Tmax']} |"
        for n, o in ((n, res["ops"][n]) for n in res["names"])
    )
    return f"""## 5. Entropy against temperature for every built-in operator

Teacher p = {tuple(res['p'])} (H(p) = {f(res['H_p'], 5)}, log V = {f(res['log_V'], 5)}), {len(res['T'])} temperatures
log-spaced on [{res['T'][0]:g}, {res['T'][-1]:g}]. "Monotone": entropy non-decreasing along the grid
(tolerance 1e-12); "strict for T ≥ 1": every step from T = 1 on increases it; "flat for T ≤ 1": no change there (such an
operator is the identity below T = 1 and cannot sharpen). Support size at the hottest T shows
which operators never reach the uniform distribution on all V classes.

**What would have contradicted the claim.** A decrease of entropy along the grid for an operator that
`skd check` proves satisfies A3 (entropy non-decreasing in T). A grid can only refute, never prove:
the proofs are `skd check`'s.

| operator | monotone | strict for T ≥ 1 | flat for T ≤ 1 | largest decrease | min H | max H | support at T = {res['T'][-1]:g} |
|---|---|---|---|---|---|---|---|
{rows}

![entropy vs T](figures/entropy.png)

*Figure 5. Entropy of F_T(p) against T (log scale) for every operator in `library.ALL`; mixture and laplace are flat (identity) for T ≤ 1, topk saturates at log 2 and sparsemax/entmax15 have sparse supports at low T.*
"""


def main(argv: list[str] | None = None) -> int:
    from . import run_all

    return run_all.main(["--only", "entropy", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
