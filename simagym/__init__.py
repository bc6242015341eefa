"""simagym: a gym for instructable game agents.

An agent sees only pixels and a natural-language instruction and acts only
through a keyboard and a mouse, in every world::

    import simagym
    env = simagym.make("meadow/go-to-house-v1")
    obs, info = env.reset(seed=0)   # obs = {"pixels": uint8 HxWx3, "instruction": str}
"""

from __future__ import annotations

from simagym.registry import get_task, get_world, list_tasks, plugin_errors, UnknownTaskError
from simagym.spec import Category, Split, TaskSpec, TaskFileError

__version__ = "0.1.0"
__all__ = [
    "make", "make_vec", "list_tasks", "get_task", "plugin_errors", "gym_id", "task_id_of",
    "Category", "Split", "TaskSpec", "TaskFileError", "UnknownTaskError",
]

GYM_NAMESPACE = "simagym"
#: ``gymnasium.make_vec``'s default for every simagym id: the batched in-process vector env.
VECTOR_ENTRY_POINT = "simagym.vector:vector_entry_point"


def gym_id(task_id: str) -> str:
    """The Gymnasium id of a task: ``meadow/go-to-house-v1`` -> ``simagym/meadow.go-to-house-v1``.

    Gymnasium ids allow a single ``/`` (after the namespace), so the world is
    joined to the task name with a dot.
    """
    return f"{GYM_NAMESPACE}/{task_id.replace('/', '.', 1)}"


def task_id_of(name: str) -> str:
    """Accept a task id or its Gymnasium id; return the task id."""
    prefix = GYM_NAMESPACE + "/"
    if name.startswith(prefix) and "." in name:
        return name[len(prefix):].replace(".", "/", 1)
    return name


def make(task_id: str, **kwargs):
    """Make the environment of a task: ``resolution`` (default 64), ``phrasing``
    (``"train"`` or ``"heldout"``), ``render_mode``, ``max_steps``."""
    from simagym.env import SimaEnv

    from gymnasium.envs.registration import EnvSpec

    if not isinstance(task_id, str):
        raise TypeError(f"simagym.make needs a task id such as 'meadow/go-to-house-v2', got {task_id!r}")
    spec = get_task(task_id_of(task_id))
    env = SimaEnv(spec, get_world(spec.world)(), **kwargs)
    # What gymnasium.make would record: remaking from it (or recovering a dataset's env) gives this env.
    env.spec = EnvSpec(id=gym_id(spec.id), entry_point="simagym:make", vector_entry_point=VECTOR_ENTRY_POINT,
                       kwargs={"task_id": spec.id, **kwargs},
                       max_episode_steps=env.max_steps, disable_env_checker=True)
    return env


def make_vec(tasks, num_envs: int | None = None, **kwargs):
    """A batched vector env (:class:`simagym.vector.SimaVectorEnv`) over a task id, a glob pattern, a
    suite (its training tasks) or a list of task ids: env ``i`` plays task ``i % len(tasks)``.
    ``macros=True`` takes macro indices; ``resolution``, ``phrasing``, ``max_steps``, ``autoreset_mode``
    and ``copy`` as named."""
    from simagym.vector import make_vec as _make_vec

    return _make_vec(tasks, num_envs, **kwargs)


def _register_with_gymnasium() -> None:
    import gymnasium

    for spec in list_tasks(superseded_too=True):  # older versions stay makeable by id
        gid = gym_id(spec.id)
        if gid not in gymnasium.registry:
            gymnasium.register(
                id=gid,
                entry_point="simagym:make",
                vector_entry_point=VECTOR_ENTRY_POINT,
                kwargs={"task_id": spec.id},
                max_episode_steps=spec.max_steps,  # the env truncates there itself; spec users read it
                disable_env_checker=False,
            )


_register_with_gymnasium()
