"""Where Minari keeps datasets, and datasets that ``minari.DataCollector`` wrote over simagym envs.

:mod:`simagym.recording` reads and writes recordings; this module is what lets
Minari's own tools and simagym's meet: a recording made in Minari's datasets
folder (``minari.load_dataset(ID)`` finds it), a recording found by its id, and
:class:`CollectedEpisodes`, which fills in what a ``DataCollector`` dataset
lacks (task, split, raw keyboard/mouse, macros, success) so it reads like a
simagym recording, or names the field it cannot find in one line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from simagym.eval.errors import EvalError

#: ``infos["macro_action"][0]`` of a recording: nothing came before the reset (``simagym.recording.NO_MACRO``).
NO_MACRO = -1
#: :func:`simagym.recording.macro_of`: the macro closest to one raw action (keys, mouse, buttons, previous mouse).
MacroOf = Callable[[np.ndarray, np.ndarray, np.ndarray, "np.ndarray | None"], int]


class DatasetError(EvalError):
    """A Minari dataset simagym cannot read (:class:`simagym.recording.RecordingError` derives from it)."""


# --- Minari's datasets folder -------------------------------------------------------------------

def minari_folder(dataset_id: str) -> Path:
    """Where ``minari.load_dataset(dataset_id)`` looks (``$MINARI_DATASETS_PATH``, default ``~/.minari/datasets``);
    its namespace is created as Minari's own ``create_dataset`` would."""
    from minari.dataset.minari_dataset import parse_dataset_id
    from minari.namespace import create_namespace, list_local_namespaces
    from minari.storage import get_dataset_path

    try:
        namespace = parse_dataset_id(dataset_id)[0]
    except ValueError:
        raise DatasetError(f"{dataset_id!r} is not a Minari dataset id; write one as NAMESPACE/NAME-vN,"
                           " e.g. simagym/alice-v0") from None
    if namespace is not None and namespace not in list_local_namespaces():
        create_namespace(namespace)
    return get_dataset_path(dataset_id) / "data"


def id_in_minari_folder(directory: Path) -> str | None:
    """The dataset id of ``directory`` if it is a dataset's ``data/`` folder in Minari's datasets folder."""
    if directory.name != "data":
        return None
    from minari.storage import get_dataset_path

    root = get_dataset_path().resolve()
    if not directory.is_relative_to(root) or directory.parent == root:
        return None
    return directory.parent.relative_to(root).as_posix()


def find_dataset_folder(source: str | os.PathLike[str]) -> Path | None:
    """The folder holding a dataset's ``metadata.json``: ``source`` itself, its ``data/`` (a Minari dataset's
    folder), or, for a dataset id such as ``simagym/human-v0``, that dataset in Minari's datasets folder."""
    path = Path(source).resolve()
    for folder in (path, path / "data"):
        if (folder / "metadata.json").exists():
            return folder
    if isinstance(source, str) and not path.exists():
        try:
            folder = minari_folder(source)
        except DatasetError:
            return None
        if (folder / "metadata.json").exists():
            return folder
    return None


# --- datasets written by minari.DataCollector ---------------------------------------------------

class CollectedEpisodes:
    """Makes each episode of a dataset that ``minari.DataCollector`` wrote over a simagym env (raw
    keyboard/mouse actions, or ``DiscreteActions`` macros) look like one simagym recorded: the task and
    split come from the dataset's env spec (the ``simagym.make`` call), macros from the actions, success
    from the infos or the reward (simagym rewards only success). A simagym recording passes unchanged."""

    def __init__(self, dataset: Any, source: str | os.PathLike[str], approximate: MacroOf) -> None:
        from gymnasium import spaces

        from simagym.macros import MACROS

        self.source, self.approximate = source, approximate
        act, obs = dataset.action_space, dataset.observation_space
        if isinstance(act, spaces.Discrete) and act.n == len(MACROS):
            self.macro_actions = True
        elif isinstance(act, spaces.Dict) and {"keys", "mouse", "buttons"} <= set(act.spaces):
            self.macro_actions = False
        else:
            raise DatasetError(f"{source}: actions are {act}; simagym reads keyboard/mouse actions or "
                               f"DiscreteActions macros (Discrete({len(MACROS)}))")
        if not isinstance(obs, spaces.Dict) or not {"pixels", "instruction"} <= set(obs.spaces):
            raise DatasetError(f"{source}: observations are {obs}; simagym needs a Dict with 'pixels' and"
                               " 'instruction'")
        if not isinstance(obs["instruction"], spaces.Text):
            raise DatasetError(f"{source}: observations['instruction'] is {obs['instruction']}, not text; record"
                               " the env without InstructionIds (or other wrappers that change observations)")
        self.task, self.split = _task_and_split(dataset.spec.env_spec)

    def _needs(self, index: int, name: str, value: Any, fix: str) -> Any:
        if value is None:
            raise DatasetError(f"{self.source}: episode {index} has no {name} ({fix})")
        return value

    def normalise(self, index: int, meta: dict[str, Any], ep: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(metadata, episode)`` as a simagym recording has them (``task``, ``split``, ``seed``, ``success``,
        ``world``, ``category``; keyboard/mouse actions; ``infos["macro_action"]``)."""
        meta, ep = dict(meta), dict(ep)
        recorded_here = "task" in meta  # simagym.play wrote it: its fields are checked, never filled in
        meta["task"] = self._needs(index, "task", meta.get("task", self.task),
                                   "no 'task' in its metadata and no simagym env spec in the dataset")
        meta["split"] = self._needs(index, "split", meta.get("split", self.split),
                                    "no 'split' in its metadata; its env's phrasing/composition match no eval split")
        self._needs(index, "seed", meta.get("seed"), "reset the env with a seed while recording")
        infos = dict(ep.get("infos") or {})
        if self.macro_actions:  # replaying needs the keyboard/mouse each macro stood for
            infos["macro_action"], ep["actions"] = _decode_macros(np.asarray(ep["actions"], dtype=np.int64))
        elif "macro_action" not in infos and not recorded_here:  # approximate each raw action as simagym.play does
            infos["macro_action"] = _approximate_macros(ep["actions"], self.approximate)
        ep["infos"] = infos
        if "success" not in meta:
            rewards = np.asarray(ep["rewards"])
            meta["success"] = (bool(np.asarray(infos["success"])[-1]) if "success" in infos
                               else bool(len(rewards) and rewards[-1] > 0))
        spec = _task_spec(str(meta["task"]))
        if spec is not None:
            meta.setdefault("world", spec.world)
            meta.setdefault("category", spec.category.value)
        return meta, ep


def _task_and_split(env_spec: Any) -> tuple[str | None, str | None]:
    """Task and split of every episode, from the ``simagym.make`` call in a dataset's env spec."""
    if env_spec is None:
        return None, None
    from simagym import task_id_of
    from simagym.eval.suite import EvalSplit

    kwargs = dict(env_spec.kwargs or {})
    task = str(kwargs.get("task_id") or task_id_of(env_spec.id))
    made = {part: str(kwargs.get(part, "train")) for part in ("phrasing", "composition")}  # simagym.make's defaults
    return task, next((s.value for s in EvalSplit if s.env_options() == made), None)


def _decode_macros(macros: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(``infos["macro_action"]``, the keyboard/mouse actions the macros decode to)."""
    from simagym.actions import BUTTONS, KEYS
    from simagym.macros import MacroDecoder

    decoder = MacroDecoder()
    raw = [decoder.decode(int(m)) for m in macros.reshape(-1)]
    actions = {"keys": np.asarray([r["keys"] for r in raw], dtype=np.int8).reshape(-1, len(KEYS)),
               "mouse": np.asarray([r["mouse"] for r in raw], dtype=np.float32).reshape(-1, 2),
               "buttons": np.asarray([r["buttons"] for r in raw], dtype=np.int8).reshape(-1, len(BUTTONS))}
    return np.concatenate([[NO_MACRO], macros.reshape(-1)]), actions


def _approximate_macros(actions: dict[str, Any], approximate: MacroOf) -> np.ndarray:
    keys, mouse, buttons = (np.asarray(actions[k]) for k in ("keys", "mouse", "buttons"))
    return np.asarray([NO_MACRO] + [approximate(keys[t], mouse[t], buttons[t], mouse[t - 1] if t else None)
                                    for t in range(len(keys))], dtype=np.int64)


def _task_spec(task: str):
    import simagym

    try:
        return simagym.get_task(task)
    except simagym.UnknownTaskError:
        return None
