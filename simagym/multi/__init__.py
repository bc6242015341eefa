"""Several players in one world: PettingZoo environments over the same pixels-and-language
observation and keyboard/mouse action as single-player simagym::

    import simagym.multi
    env = simagym.multi.parallel_env("meadow/team-give-key-v1")     # pettingzoo.ParallelEnv
    observations, infos = env.reset(seed=0)                          # one per player_0, player_1...
    aec = simagym.multi.env("meadow/team-give-key-v1")               # the AEC form

Team tasks live in their own catalogue (:mod:`simagym.multi.registry`).
"""

from __future__ import annotations

from pettingzoo.utils.conversions import parallel_to_aec

from simagym.registry import get_world

from .env import TeamEnv
from .macros import DiscreteActions
from .oracle import JointOracle
from .registry import get_team_task, is_team_task, list_team_tasks
from .spec import TeamKind, TeamSpec


def parallel_env(task_id: str, **kwargs) -> TeamEnv:
    """The Parallel environment of a team task: ``resolution``, ``phrasing``, ``render_mode``, ``max_steps``."""
    spec = get_team_task(task_id)
    return TeamEnv(spec, get_world(spec.world)(), **kwargs)


def env(task_id: str, **kwargs):
    """The AEC environment of a team task (PettingZoo's conversion of :func:`parallel_env`)."""
    return parallel_to_aec(parallel_env(task_id, **kwargs))


__all__ = ["parallel_env", "env", "TeamEnv", "TeamSpec", "TeamKind", "DiscreteActions", "JointOracle",
           "get_team_task", "list_team_tasks", "is_team_task"]
