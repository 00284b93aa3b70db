"""Iterative vs one-shot magnitude pruning with distillation between stages.

**Setting (constructed, see the doc for how it was chosen).** Inputs carry G latent factors, each
observed through two nearly identical features, ``x_{2j}, x_{2j+1} = u_j + 0.1·noise``
(correlation ≈ 0.99). The teacher is log-linear (V classes) and splits every factor's weight
unequally over its two copies, ``((½+δ)a, (½−δ)a)`` with ``a ∈ [1, 2.4]``, ``δ ∈ [0.05, 0.15]``
and random signs. The student keeps half of the free weights (one per factor suffices to
represent the teacher almost exactly). Every stage: global magnitude pruning of the current
weights to sparsity ``s_k = s·k/n``, then distillation of the surviving weights from the previous
stage (exact Newton fit, softened student vs softened teacher at T = 2, §5.7). One-shot = n = 1.
Error = ``E_x KL(F_T(teacher) ‖ F_T(student))`` against the *original* teacher.

**Homotopy quantities.** The path γ(t_k) is the n-stage chain itself; stage distances
``‖γ(t_k) − γ(t_{k−1})‖₂`` (weights) give the path length and the largest step; the one-shot
distance is ``d(γ(0), γ(1))``. The basin radius ``r_k`` of γ(t_k) under the stage-k map
(prune to ``s_k`` + distil) is estimated by perturbation: Gaussian perturbations of size ρ of the
previous point are pushed through the stage map; success = same mask as γ(t_k) and distance
< 1e-6; ``r_k`` = the largest ρ on a geometric grid at which at least 90% of the trials succeed. The
conditions are then "one-shot succeeds if d(γ(0), γ(1)) < r_final" (with r_final estimated
around the image of γ(1) under the one-shot map) and "n-stage succeeds if every step < r_k": both
*sufficient*, not necessary, so where they fail they predict nothing.

**Unconstructed control** (:class:`UnconstructedProblem`): the same pipeline with independent
features and an i.i.d. Gaussian teacher of the same logit scale, parameters fixed before its seeds
were run; its one-shot-vs-iterative rate is reported beside the constructed one.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from . import common
from . import loglinear as L

G, V, POOL, T, SPARSITY, N_STAGES, SEEDS = 8, 3, 1000, 2.0, 0.5, 16, 10
A_RANGE, DELTA_RANGE = (1.0, 2.4), (0.05, 0.15)
NOISE = 0.1
RADII = tuple(float(x) for x in np.geomspace(0.1, 10.0, 9))
TRIALS = 8
SEED0 = 500
#: weight scale of the unconstructed teacher: σ² = E[a²]/2, a ~ U[A_RANGE] (equal logit variance)
UNC_SIGMA = math.sqrt((A_RANGE[1] ** 3 - A_RANGE[0] ** 3) / (3 * (A_RANGE[1] - A_RANGE[0])) / 2)


class Problem:
    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([SEED0, seed])
        d = 2 * G
        u = rng.standard_normal((POOL, G))
        X = np.repeat(u, 2, axis=1) + NOISE * rng.standard_normal((POOL, d))
        W = np.zeros((V, d))
        for c in range(V - 1):
            a = rng.uniform(*A_RANGE, G) * rng.choice([-1.0, 1.0], G)
            dl = rng.uniform(*DELTA_RANGE, G)
            first = rng.random(G) < 0.5  # which copy gets the larger share
            W[c, 0::2] = np.where(first, 0.5 + dl, 0.5 - dl) * a
            W[c, 1::2] = np.where(first, 0.5 - dl, 0.5 + dl) * a
        self.X, self.W0 = X, W
        self.free = L.free_all(V, d)
        self.pt = L.probs(W, X, T)

    def stage(self, w: np.ndarray, mask: np.ndarray, s: float, teacher: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """Magnitude-prune ``w`` (free weights) to sparsity ``s`` within ``mask``, then distil from
        ``teacher`` (default: ``w`` itself, the previous stage)."""
        k = round(s * len(w))
        mags = np.where(mask, np.abs(w), -1.0)
        newmask = np.ones(len(w), dtype=bool)
        newmask[np.argsort(mags, kind="stable")[:k]] = False
        target = L.soften(L.probs(self._W(w if teacher is None else teacher), self.X), T)
        start = np.where(newmask, w, 0.0)
        Wn, _ = L.fit(self._W(start), self.X, target, T, self.free[newmask])
        return Wn.ravel()[self.free].copy(), newmask

    def _W(self, w: np.ndarray) -> np.ndarray:
        W = np.zeros_like(self.W0)
        W.ravel()[self.free] = w
        return W

    def error(self, w: np.ndarray) -> float:
        return float(L.kl_rows(self.pt, L.probs(self._W(w), self.X, T)).mean())

    def chain(self, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
        w = self.W0.ravel()[self.free].copy()
        mask = np.ones(len(w), dtype=bool)
        out = [(w, mask)]
        for k in range(1, n + 1):
            w, mask = self.stage(w, mask, SPARSITY * k / n)
            out.append((w, mask))
        return out

    def basin_radius(self, centre: np.ndarray, mask: np.ndarray, s: float, teacher: np.ndarray,
                     rng: np.random.Generator) -> float:
        """Largest ρ on the grid such that ≥ 90% of starts ``centre + ρ·z`` (z a random unit direction
        on the coordinates still in ``mask``) are mapped by the stage (prune to ``s``, distil from
        ``teacher``) onto the same mask as ``centre``, hence, the fit being convex and exact, onto
        ``centre`` itself (checked: distance < 1e-6)."""
        best = 0.0
        cmask = centre != 0
        for rho in RADII:
            ok = 0
            for _ in range(TRIALS):
                z = rng.standard_normal(len(centre)) * mask
                w1, m1 = self.stage(centre + rho * z / np.linalg.norm(z), mask, s, teacher)
                ok += bool(np.array_equal(m1, cmask) and np.linalg.norm(w1 - centre) < 1e-6)
            if ok < 0.9 * TRIALS:
                break
            best = rho
        return best

    def oracle(self) -> float:
        """Error of the one-weight-per-factor student (the larger copy kept), distilled from the teacher."""
        w0 = self.W0.ravel()[self.free]
        keep = np.zeros(len(w0), dtype=bool)
        for c in range(V - 1):
            for j in range(G):
                i0, i1 = c * 2 * G + 2 * j, c * 2 * G + 2 * j + 1
                keep[i0 if abs(w0[i0]) >= abs(w0[i1]) else i1] = True
        target = L.soften(L.probs(self.W0, self.X), T)
        Wn, _ = L.fit(self._W(np.where(keep, w0, 0.0)), self.X, target, T, self.free[keep])
        return self.error(Wn.ravel()[self.free])


class UnconstructedProblem(Problem):
    """The same pipeline with a teacher that is **not** built to mislead magnitude pruning: independent
    features ``x ~ N(0, I_16)`` (no duplicated copies) and i.i.d. Gaussian weights ``N(0, σ²)``,
    ``σ² = E[a²]/2`` for ``a ~ U[1, 2.4]`` so that each class's logit variance (16σ²) equals the
    constructed teacher's (≈ 8·E[a²]). Parameters fixed before any seed was run; ``numpy`` seed
    ``[SEED0 + 1, seed]``."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([SEED0 + 1, seed])
        d = 2 * G
        X = rng.standard_normal((POOL, d))
        W = np.zeros((V, d))
        W[:-1] = UNC_SIGMA * rng.standard_normal((V - 1, d))
        self.X, self.W0 = X, W
        self.free = L.free_all(V, d)
        self.pt = L.probs(W, X, T)


def unconstructed(seeds: int = SEEDS) -> dict[str, Any]:
    """One-shot vs n-stage errors in the unconstructed setting (same schedule, sparsity, seeds)."""
    rows = []
    for s in range(seeds):
        common.progress(f"pruning (unconstructed): seed {s + 1}/{seeds}")
        pb = UnconstructedProblem(s)
        (w_n, m_n), (w_1, m_1) = pb.chain(N_STAGES)[-1], pb.chain(1)[-1]
        e_n, e_1 = pb.error(w_n), pb.error(w_1)
        rows.append({"seed": s, "err_nstage": e_n, "err_oneshot": e_1, "ratio": e_1 / e_n,
                     "same_mask": bool(np.array_equal(m_n, m_1))})
    return {"sigma": UNC_SIGMA, "seed0": SEED0 + 1, "rows": rows, "wins_2x": sum(r["ratio"] >= 2 for r in rows),
            "median_ratio": float(np.median([r["ratio"] for r in rows])),
            "same_mask": sum(r["same_mask"] for r in rows),
            "nstage_better": sum(r["ratio"] > 1 + 1e-9 for r in rows)}


def one_seed(seed: int) -> dict[str, Any]:
    pb = Problem(seed)
    rng = np.random.default_rng([SEED0, seed, 1])
    ch = pb.chain(N_STAGES)
    one = pb.chain(1)
    w_n, m_n = ch[-1]
    w_1, m_1 = one[-1]
    steps = [float(np.linalg.norm(ch[k][0] - ch[k - 1][0])) for k in range(1, len(ch))]
    radii = [pb.basin_radius(ch[k][0], ch[k - 1][1], SPARSITY * k / N_STAGES, ch[k - 1][0], rng)
             for k in range(1, len(ch))]
    d01 = float(np.linalg.norm(w_n - ch[0][0]))
    # basin of gamma(1) for the one-shot map: dense starts around gamma(1), prune to the final
    # sparsity, distil from the teacher gamma(0)
    one_map = pb.stage(w_n, np.ones(len(w_n), dtype=bool), SPARSITY, ch[0][0])[0]
    r_final = pb.basin_radius(one_map, np.ones(len(w_n), dtype=bool), SPARSITY, ch[0][0], rng)
    e_n, e_1, e_or = pb.error(w_n), pb.error(w_1), pb.oracle()
    return {"seed": seed, "err_nstage": e_n, "err_oneshot": e_1, "err_oracle": e_or, "ratio": e_1 / e_n,
            "same_mask": bool(np.array_equal(m_1, m_n)),
            "ok_nstage": e_n <= 2 * e_or, "ok_oneshot": e_1 <= 2 * e_or,
            "d01": d01, "path_length": float(sum(steps)), "max_step": max(steps), "steps": steps,
            "radii": radii, "min_radius": min(radii),
            "max_step_over_radius": max(s / r if r > 0 else math.inf for s, r in zip(steps, radii)),
            "r_final": r_final, "pred_oneshot_ok": d01 < r_final,
            "pred_nstage_ok": all(s < r for s, r in zip(steps, radii)),
            "kept_per_factor_nstage": _kept(m_n), "kept_per_factor_oneshot": _kept(m_1)}


def _kept(mask: np.ndarray) -> list[int]:
    m = mask.reshape(V - 1, 2 * G)
    return [int(x) for x in (m[:, 0::2].astype(int) + m[:, 1::2]).ravel()]


def run(seeds: int = SEEDS) -> dict[str, Any]:
    rows = []
    for s in range(seeds):
        common.progress(f"pruning: seed {s + 1}/{seeds}")
        rows.append(one_seed(s))
    wins = sum(r["ratio"] >= 2 for r in rows)
    agree1 = sum(r["pred_oneshot_ok"] == r["ok_oneshot"] for r in rows)
    agreen = sum(r["pred_nstage_ok"] == r["ok_nstage"] for r in rows)
    return common.clean({
        "setting": {"G": G, "V": V, "features": 2 * G, "pool": POOL, "T": T, "sparsity": SPARSITY,
                    "n_stages": N_STAGES, "noise": NOISE, "a_range": A_RANGE, "delta_range": DELTA_RANGE, "seeds": seeds, "trials": TRIALS, "radii": RADII,
                    "seed0": SEED0},
        "rows": rows, "wins_2x": wins, "median_ratio": float(np.median([r["ratio"] for r in rows])),
        "oneshot_prediction_agrees": agree1,
        "nstage_prediction_agrees": agreen,
        "nstage_ok": sum(r["ok_nstage"] for r in rows), "oneshot_ok": sum(r["ok_oneshot"] for r in rows),
        "nstage_predicted_ok": sum(r["pred_nstage_ok"] for r in rows),
        "oneshot_predicted_ok": sum(r["pred_oneshot_ok"] for r in rows),
        "unconstructed": unconstructed(seeds),
    })


def figure(res: dict[str, Any]) -> list[str]:
    plt = common.pyplot()
    rows = res["rows"]
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(14, 3.6))
    x = np.arange(len(rows))
    a1.semilogy(x, [r["err_oneshot"] for r in rows], "v", ms=7, label="one-shot (n = 1)")
    a1.semilogy(x, [r["err_nstage"] for r in rows], "o", ms=6, label=f"{res['setting']['n_stages']}-stage")
    a1.semilogy(x, [r["err_oracle"] for r in rows], "_", ms=12, color="k", label="one weight per factor (oracle mask)")
    a1.set_xlabel("seed")
    a1.set_ylabel(r"$E_x KL(F_T(\mathrm{teacher})\|F_T(\mathrm{student}))$")
    a1.set_title(f"final error; one-shot ≥ 2× n-stage in {res['wins_2x']}/{len(rows)} seeds")
    a1.set_xticks(x)
    a1.legend(fontsize=7)
    a2.plot(x, [r["d01"] / r["r_final"] for r in rows], "v", ms=7, label=r"one-shot: $d(\gamma(0),\gamma(1))/r_{final}$")
    a2.plot(x, [r["max_step_over_radius"] for r in rows], "o", ms=6, label=r"n-stage: $\max_k$ step$_k/r_k$")
    a2.axhline(1.0, color="k", lw=1, ls="--", label="condition boundary (< 1: predicted success)")
    a2.set_xlabel("seed")
    a2.set_ylabel("distance / estimated basin radius")
    a2.set_title("homotopy conditions, estimated")
    a2.set_xticks(x)
    a2.legend(fontsize=7)
    un = res["unconstructed"]
    a3.semilogy(x, [r["ratio"] for r in rows], "o", ms=6, label=f"constructed ({res['wins_2x']}/{len(rows)} ≥ 2)")
    a3.semilogy(x, [r["ratio"] for r in un["rows"]], "s", ms=6, mfc="none",
                label=f"unconstructed ({un['wins_2x']}/{len(un['rows'])} ≥ 2)")
    a3.axhline(2.0, color="k", lw=1, ls="--", label="ratio 2 (the claim's threshold)")
    a3.set_xlabel("seed")
    a3.set_ylabel("one-shot error / n-stage error")
    a3.set_title("constructed vs unconstructed setting")
    a3.set_xticks(x)
    a3.legend(fontsize=7)
    return [str(common.savefig(fig, "pruning.png"))]


def markdown(res: dict[str, Any]) -> str:
    f = common.fmt
    st = res["setting"]
    rows = res["rows"]
    un = res["unconstructed"]
    yn = lambda b: "yes" if b else "no"
    table = "\n".join(
        f"| {r['seed']} | {f(r['err_oneshot'], 3)} | {f(r['err_nstage'], 3)} | {f(r['err_oracle'], 3)} | {f(r['ratio'], 3)} | "
        f"{f(r['d01'], 3)} | {f(r['r_final'], 3)} | {f(r['path_length'], 3)} | {f(r['max_step'], 3)} | {f(r['min_radius'], 3)} | "
        f"{f(r['max_step_over_radius'], 3)} | {yn(r['ok_oneshot'])} / {yn(r['pred_oneshot_ok'])} | {yn(r['ok_nstage'])} / {yn(r['pred_nstage_ok'])} |"
        for r in rows
    )
    utable = "\n".join(f"| {r['seed']} | {f(r['err_oneshot'], 3)} | {f(r['err_nstage'], 3)} | {f(r['ratio'], 4)} | {yn(r['same_mask'])} |"
                       for r in un["rows"])
    ratios = [r["d01"] / r["r_final"] for r in rows] + [r["max_step_over_radius"] for r in rows]
    above_one = ("> 1 everywhere: the sufficient conditions never hold, so they predict nothing" if min(ratios) > 1
                 else "< 1 where a sufficient condition holds and predicts success")
    held = res["oneshot_predicted_ok"] + res["nstage_predicted_ok"]
    untested = ("Neither condition holds in any seed, so **this experiment does not test the homotopy conditions**."
                if held == 0 else f"A condition holds in {held} (seed, schedule) cases; only those test it.")
    none_here = " (there are none here: no condition holds)" if held == 0 else ""
    return f"""## 2. Iterative vs one-shot magnitude pruning

**Setting.** {st['G']} latent factors, each seen through two nearly identical features
(`x_{{2j}}, x_{{2j+1}} = u_j + {st['noise']:g}·noise`, {st['features']} features, pool {st['pool']} inputs); a log-linear
teacher with V = {st['V']} classes that splits each factor's weight *unequally* over the two copies,
`((½+δ)a, (½−δ)a)`, `|a| ∈ [{st['a_range'][0]:g}, {st['a_range'][1]:g}]`, `δ ∈ [{st['delta_range'][0]:g}, {st['delta_range'][1]:g}]`, random signs; final sparsity {st['sparsity']:g} of the free
weights, so one weight per factor suffices. Each stage magnitude-prunes the current weights
(globally) to `s_k = {st['sparsity']:g}·k/n` and distils the survivors from the previous stage by an exact
Newton fit, softened student vs softened teacher at T = {st['T']:g} (§5.7). One-shot is n = 1; the
iterative schedule is n = {st['n_stages']} (one weight per stage). Error = `E_x KL(F_T(teacher) ‖ F_T(student))`
against the original teacher; "oracle" keeps the larger copy of every factor. Seeds 0–{st['seeds'] - 1}
(`numpy` seed `[{st['seed0']}, seed]`).

**How the setting was chosen (honestly).** A first, discarded prototype with a random dense
2-layer tanh teacher and Adam retraining (high first-layer sparsity, equal training budgets) did
*not* show the effect (one-shot was at least twice as bad in only a small minority of seeds; that
prototype is not part of this package, so its numbers are not reported; the unconstructed control
below replaces it): there the error is dominated by the capacity of the sparse class, not by the path. Also, for a log-linear student
with a *fixed* mask, exact multi-stage distillation equals one-shot (the moments telescope,
section 1b). So this setting was **constructed** so that the magnitude order of the dense teacher
is misleading (both copies of a strong factor outrank both copies of a weak one) while gradual
pruning lets the surviving copy absorb its twin before the next decision; its parameters were
fixed before the 10 seeds were run and not tuned afterwards.

**Homotopy quantities (estimated, §5.7).** The path is the n-stage chain γ(t_k); stage distances
`‖γ(t_k) − γ(t_{{k−1}})‖₂` (weights) give the path length and the largest step; the one-shot
distance is `d(γ(0), γ(1))`. The basin radius `r_k` of γ(t_k) for stage k is estimated by
perturbation: starts `γ(t_k) + ρz` (z a random unit direction on the still-unpruned weights) are
pushed through the stage map (prune to s_k, distil from γ(t_{{k−1}})); success = the same mask,
hence (convex, exact fit) the same point; `r_k` = largest ρ on the grid
{{{', '.join(f'{x:.3g}' for x in st['radii'])}}} at which ≥ 90% of {st['trials']} trials succeed. `r_final` is the
same for the one-shot map around its image of γ(1). Observed success = error ≤ 2 × oracle.

**Unconstructed setting (the control).** The same pipeline (V = {st['V']}, {st['features']} features, pool {st['pool']}, T = {st['T']:g},
sparsity {st['sparsity']:g}, n = {st['n_stages']} vs 1, seeds 0–{st['seeds'] - 1}, `numpy` seed `[{un['seed0']}, seed]`) with a teacher that is *not*
built to mislead magnitude pruning: independent features `x ~ N(0, I_{st['features']})` (no duplicated copies) and
i.i.d. weights `N(0, σ²)`, σ = {f(un['sigma'], 4)} chosen as `√(E[a²]/2)` so that each class's logit variance
equals the constructed teacher's. These parameters were fixed before any of its seeds was run.

**Result.** One-shot error ≥ 2 × n-stage error:

| setting | seeds with one-shot ≥ 2 × n-stage | median ratio | n-stage strictly better | same final mask |
|---|---|---|---|---|
| constructed (duplicated features, unequal split) | **{res['wins_2x']} of {len(rows)}** | {f(res['median_ratio'], 3)} | {sum(r['ratio'] > 1 + 1e-9 for r in rows)} of {len(rows)} | {sum(r['same_mask'] for r in rows)} of {len(rows)} |
| unconstructed (random dense teacher) | **{un['wins_2x']} of {len(un['rows'])}** | {f(un['median_ratio'], 3)} | {un['nstage_better']} of {len(un['rows'])} | {un['same_mask']} of {len(un['rows'])} |

Acceptance for the constructed setting: ≥ 8 of 10. Observed successes there (error ≤ 2 × oracle):
n-stage {res['nstage_ok']}/{len(rows)}, one-shot {res['oneshot_ok']}/{len(rows)}. So "iterative succeeds where one-shot fails" is
observed in the constructed setting and not in this unconstructed one: without the misleading
magnitude order, one-shot is at least twice as bad in {un['wins_2x']} of {len(un['rows'])} seeds (largest ratio
{f(max(r['ratio'] for r in un['rows']), 3)}). The experiment shows that the effect exists, not that it is typical.

**The homotopy conditions are sufficient, not necessary — read the counts accordingly.** The one-shot
condition `d(γ(0), γ(1)) < r_final` holds in {res['oneshot_predicted_ok']}/{len(rows)} seeds. Only where it holds does it
predict anything (success); where it fails it predicts nothing, so its "agreement" with the
{len(rows) - res['oneshot_ok']} observed one-shot failures ({res['oneshot_prediction_agrees']}/{len(rows)} seeds agree) is **not evidence** for it. The n-stage
condition "every step < r_k" holds in {res['nstage_predicted_ok']}/{len(rows)} seeds (agreement with the observed n-stage
outcome: {res['nstage_prediction_agrees']}/{len(rows)}, equally uninformative): the largest step exceeds the random-direction
radius by the factor in the table, so this *sufficient* condition is not met even where the chain
succeeds — the radius along the path's own direction is larger than the 90%-of-random-directions
radius, and single weights are the finest possible pruning steps here, so n cannot be raised to
shrink the steps further. {untested}

**What would have contradicted the claim.** For "iterative succeeds where one-shot fails": one-shot
error < 2 × n-stage error in 3 or more of the 10 seeds (acceptance ≥ 8). For the homotopy conditions:
a seed where a condition holds and the predicted success does not occur{none_here}. For the control: the
unconstructed rate is a measurement, not a test of the claim (the claim says nothing about random
teachers); it would have contradicted the reading "the effect is specific to the construction" had it
also reached ≥ 8 of 10.

| seed | one-shot err | n-stage err | oracle err | ratio | d(γ0,γ1) | r_final | path length | max step | min r_k | max step/r_k | one-shot ok / condition holds | n-stage ok / condition holds |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
{table}

Unconstructed setting, per seed:

| seed | one-shot err | n-stage err | ratio | same mask |
|---|---|---|---|---|
{utable}

![pruning](figures/pruning.png)

*Figure 2. Left: final error per seed for one-shot and {st['n_stages']}-stage magnitude pruning with distillation (and the oracle mask), constructed setting; middle: estimated homotopy ratios, one-shot distance over basin radius and the largest n-stage step over its basin radius ({above_one}); right: one-shot over n-stage error per seed in the constructed and the unconstructed setting, against the claim's threshold 2.*
"""


def main(argv: list[str] | None = None) -> int:
    from . import run_all

    return run_all.main(["--only", "pruning", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
