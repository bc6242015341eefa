"""The plugin kit: the checks simagym runs on its own worlds, for any world.

``check_world("orchard")`` runs them all on a world and every task it has; ``check_tasks("orchard/pick-*")``
on some tasks. Per task: Gymnasium's env checker and passive checker and SB3's checker, on the raw
env and through the wrappers a learner uses (:class:`~simagym.macros.DiscreteActions`,
:class:`~simagym.wrappers.InstructionIds`); observations at several sizes and ``render()``; every
phrasing filled with every slot combination inside the instruction space; no required target
ambiguous after reset; the oracle solving every seed. Then the same seed and macros giving
byte-identical frames in two processes, and only declared events. Team tasks (of the world, or named by the
pattern): PettingZoo's ``parallel_api_test`` and the joint oracle on every seed. Each raises :class:`KitError`
listing every problem. In pytest, a plugin's whole test file::

    from simagym.testing import kit_tests

    test_orchard = kit_tests("orchard")
"""

from simagym.testing.api import check_env_api, check_render_sizes, learner_env
from simagym.testing.determinism import check_determinism, macro_sequence
from simagym.testing.kit import KitCase, cases, check_tasks, check_world, task_ids, world_problems
from simagym.testing.language import check_instructions
from simagym.testing.oracle import check_oracle, check_targets, run_oracle
from simagym.testing.params import kit_tests
from simagym.testing.problems import KitError
from simagym.testing.team import check_joint_oracle, check_team_api

__all__ = [
    "check_world", "check_tasks", "kit_tests", "KitError", "KitCase", "cases", "task_ids", "world_problems",
    "check_env_api", "check_render_sizes", "check_instructions", "check_targets", "check_oracle", "run_oracle",
    "check_determinism", "macro_sequence", "learner_env", "check_team_api", "check_joint_oracle",
]
