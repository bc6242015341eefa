"""Evaluation on a Ray cluster: every group of episodes is a Ray task, run on whichever node has a free CPU.

Only the playing moves. The driver (``python -m simagym.eval --backend ray``)
keeps the run folder: it decides what is pending, appends each record to
``episodes.jsonl`` itself (so each episode is written once, whatever a node
does), and resumes and checks the folder exactly as a local run does. A group
plays the same episodes with the same seeds wherever it lands, so the results
equal the local backend's.

Every node needs simagym installed (the same version) and, for an agent given
as ``package.module:ClassName``, that module. A trained agent's run folder is
read on the driver and shipped through Ray's object store, so it need not exist
on the other nodes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from simagym.eval.errors import EvalError
from simagym.eval.suite import Episode

#: Where a node unpacks a shipped checkpoint, one folder per content hash (reused by later tasks).
_UNPACKED = Path(tempfile.gettempdir()) / "simagym-ray-agents"


def _ray():
    try:
        import ray
    except ImportError:
        raise EvalError("--backend ray needs Ray: pip install 'simagym[ray]'") from None
    return ray


# --- a trained agent's checkpoint travels with the tasks --------------------------------------

def _pack_checkpoint(agent: str) -> dict[str, bytes] | None:
    """The files of ``agent``'s checkpoint folder by relative path, or None when the agent is not a run folder."""
    from simagym.agents import BUILTIN, _is_run_path
    from simagym.train.checkpoint import resolve

    if agent in BUILTIN or not _is_run_path(agent):
        return None
    folder = resolve(agent)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _unpack_checkpoint(files: Mapping[str, bytes]) -> str:
    """Write a shipped checkpoint into this node's temp folder once; return its path."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    target = _UNPACKED / digest.hexdigest()[:32]
    if not target.is_dir():
        _UNPACKED.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=_UNPACKED))
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            os.rename(staging, target)  # atomic: another worker on this node may have won the race
        except OSError:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
    return str(target)


def _play_group(agent: str, checkpoint: Mapping[str, bytes] | None, episodes: Sequence[Episode],
                options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Ray task: one group's records (or an error record), as :func:`simagym.eval.runner._guarded_group`."""
    from simagym.eval.runner import _guarded_group
    from simagym.headless import configure_sdl

    configure_sdl()  # Ray itself gives a one-CPU task OMP_NUM_THREADS=1
    if checkpoint is not None:
        agent = _unpack_checkpoint(checkpoint)
    return _guarded_group(agent, episodes, options)


# --- the backend ------------------------------------------------------------------------------

class RayCluster:
    """Plays groups as Ray tasks (one CPU each) across a cluster.

    ``address`` is Ray's: ``None`` joins the cluster in ``$RAY_ADDRESS`` or the one ``ray start`` last
    started on this machine, else starts Ray here; ``"auto"`` joins the cluster this machine is a node of
    (an error if there is none); ``"ray://HOST:10001"`` connects as a Ray client. If Ray is already
    initialised in this process, that instance is used and left running.
    ``max_in_flight`` bounds the tasks queued at once (default: twice the cluster's CPUs, as it grows).
    """

    def __init__(self, address: str | None = None, *, max_in_flight: int | None = None) -> None:
        if max_in_flight is not None and max_in_flight < 1:
            raise EvalError(f"max_in_flight must be >= 1, got {max_in_flight!r}")
        self.address = address
        self.max_in_flight = max_in_flight

    def _connect(self, ray) -> bool:
        """Initialise Ray unless it is; return whether this call did (and so must shut it down)."""
        if ray.is_initialized():
            return False
        try:
            ray.init(address=self.address, logging_level="WARNING", log_to_driver=False)
        except (ConnectionError, ValueError, RuntimeError) as err:
            where = self.address or os.environ.get("RAY_ADDRESS") or "a new local instance"
            reason = str(err).rstrip(".")
            raise EvalError(f"cannot start or reach Ray at {where}: {reason}; start a cluster with `ray start --head`"
                            " or leave out --address") from None
        return True

    def results(self, agent: str, groups: Sequence[Sequence[Episode]],
                options: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        ray = _ray()
        owned = self._connect(ray)
        running: list[Any] = []
        try:
            play = ray.remote(num_cpus=1)(_play_group)
            checkpoint = _pack_checkpoint(agent)
            shipped = ray.put(checkpoint) if checkpoint is not None else None
            queue = iter(groups)

            def top_up() -> None:
                # Read the cluster's size each time: nodes that join (an autoscaler's) get work too.
                window = self.max_in_flight or max(1, 2 * int(ray.cluster_resources().get("CPU", 1)))
                while len(running) < window:
                    group = next(queue, None)
                    if group is None:
                        return
                    running.append(play.remote(agent, shipped, list(group), dict(options)))

            top_up()
            while running:
                done, _ = ray.wait(running, num_returns=1)
                running.remove(done[0])
                top_up()
                yield from ray.get(done[0])
        finally:
            for ref in running:  # an interrupted or failed run stops what is still queued or playing
                ray.cancel(ref, force=True)
            if owned:
                ray.shutdown()
