"""The referee of an episode: says, every tick, whether the instruction has been
followed (success), broken (failure) or neither yet (running).

Two rule sets, chosen by the task file:

* **Immediate** (``settle: 0``, the v1 catalogue): success the first tick the
  success check holds; failure the first tick the failure check holds.
* **Settled** (``settle: K`` with K >= 1): success describes the *end* the
  instruction asks for, not a state passed through on the way. A check over a
  passing state (being near something, a menu being open, having moved; see
  :attr:`Check.transient`) counts only once the agent *stops* there: the state
  has held for K ticks in a row without the player moving, or the agent plays a
  no-op (nothing pressed, the cursor still: "done") while it holds. A check over
  an achievement (an event, picking something up) counts the tick it happens.

With ``strict: true`` (BabyAI's strict mode) the template's other instructions
in the same layout are *rivals*: when one of them is reached - by the same
rules - while the instruction's own goal is not, the episode ends as a failure.
Picking up, opening or marking the wrong one of several look-alikes, or stopping
at the wrong house, fails; a goal already true at reset is no rival.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from simagym.checks import Check
from simagym.world import Event, World

if TYPE_CHECKING:
    from simagym.spec import Instruction


class Outcome(str, enum.Enum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"


def plausible(instruction: "Instruction", world: World) -> bool:
    """Whether ``instruction`` makes sense in ``world`` as it stands: every entity it names
    exists (:meth:`World.plausible_target`), and its goal is not already reached."""
    if any(not world.plausible_target(selector) for selector in instruction.targets()):
        return False
    return not instruction.success_check().satisfied(world)


def alternatives(instruction: "Instruction", world: World) -> list["Instruction"]:
    """The template's other instructions (other slot values) that are plausible in ``world``:
    the look-alikes an agent that ignores the instruction could equally well pursue.
    Instructions whose goal is written the same way as this one's are not alternatives."""
    bound_own = instruction.success_check()
    found: list["Instruction"] = []
    seen: set[str] = set()
    for other in instruction.spec.all_instructions(instruction.split, instruction.template):
        if other.slots == instruction.slots:
            continue
        key = repr(sorted(other.slots.items()))
        if key in seen or other.success_check() == bound_own:
            continue
        seen.add(key)
        if plausible(other, world):
            found.append(other)
    return found


@dataclass
class _Watch:
    """One check and how long it has held still."""

    check: Check
    streak: int = 0

    def update(self, world: World, events: list[Event]) -> bool:
        return self.check.update(world, events)


@dataclass
class Judge:
    """Rules one episode. Build with :meth:`for_episode` after the world's reset."""

    success: Check
    failure: Check | None = None
    rivals: Sequence[Check] = ()
    settle: int = 0
    _watches: list[_Watch] = field(default_factory=list, repr=False)
    _last_position: tuple[float, float] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._watches = [_Watch(self.success), *(_Watch(r) for r in self.rivals)]

    @classmethod
    def for_episode(cls, instruction: "Instruction", world: World) -> "Judge":
        spec = instruction.spec
        rivals: list[Check] = []
        if spec.strict:
            rivals = [other.success_check() for other in alternatives(instruction, world)]
        judge = cls(instruction.success_check(), instruction.failure_check(), rivals, spec.settle)
        judge._last_position = world.displacement()
        return judge

    def update(self, world: World, events: list[Event], idle: bool) -> Outcome:
        """One tick, after the world stepped. ``idle``: the agent played a no-op this tick."""
        holds = [w.update(world, events) for w in self._watches]  # every check counts its events
        failed = self.failure is not None and self.failure.update(world, events)
        position = world.displacement()
        still = position == self._last_position
        self._last_position = position
        if failed:
            return Outcome.FAILURE
        reached = [self._reached(w, h, still, idle) for w, h in zip(self._watches, holds)]
        if reached[0]:
            return Outcome.SUCCESS
        if not holds[0] and any(reached[1:]):
            return Outcome.FAILURE
        return Outcome.RUNNING

    def _reached(self, watch: _Watch, holds: bool, still: bool, idle: bool) -> bool:
        if not holds:
            watch.streak = 0
            return False
        if self.settle == 0 or not watch.check.transient:
            return True
        watch.streak = watch.streak + 1 if still else 0
        return idle or watch.streak >= self.settle


__all__ = ["Judge", "Outcome", "alternatives", "plausible"]
