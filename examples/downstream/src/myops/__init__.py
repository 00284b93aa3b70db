"""Our softening operators, declared with skd's API (``skd.operators.separable``).

* ``scaled_power``: ``3 x^{1/T}`` — temperature scaling with a constant factor in the score
  (the factor cancels in the normalisation), the operator we ship;
* ``cubic_temperature``: ``x^{1/T^3}`` — temperature scaling reparametrised by ``T ↦ T³``;
* ``too_sharp``: ``x^{2/T}`` — sharpens even at ``T = 1``, so it breaks the identity axiom
  ``F_1(p) = p``; kept to document (and test) exactly which axiom it breaks.
"""

from __future__ import annotations

from skd.operators import separable

__all__ = ["ALL", "cubic_temperature", "scaled_power", "too_sharp"]

scaled_power = separable("3*x**(1/T)", name="scaled_power", doc="temperature scaling, score scaled by 3")
cubic_temperature = separable("x**(1/T**3)", name="cubic_temperature", doc="power with temperature T**3")
too_sharp = separable("x**(2/T)", name="too_sharp", doc="squares p at T = 1: not the identity")

ALL = (scaled_power, cubic_temperature, too_sharp)
