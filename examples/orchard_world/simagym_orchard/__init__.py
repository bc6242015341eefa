"""An example simagym world in a package of its own: install it beside simagym
(``pip install ./examples/orchard_world``) and ``simagym list --world orchard`` shows its tasks.
docs/writing-a-world.md walks through it."""

from simagym_orchard.oracle import OrchardSolver
from simagym_orchard.world import OrchardLayout, OrchardWorld

__all__ = ["OrchardWorld", "OrchardLayout", "OrchardSolver"]
