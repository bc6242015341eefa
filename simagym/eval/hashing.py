"""The content hash of a suite: what it runs, as canonical JSON, hashed with SHA-256.

The manifest holds, per task, the whole validated spec (world, category,
layout, slots, training and held-out phrasings, success and failure checks,
step limit) and its held-out slot combinations, plus the suite's seeds,
splits and held-out worlds. Canonical JSON (sorted keys, no whitespace, UTF-8)
makes the hash independent of dict order and formatting. The suite's name and
version are part of it too; its free-text description and file location are
not, so rewording a description does not invalidate results.

Change any task's phrasing, slot, check or layout and the hash changes: results
computed before the change no longer match the suite, and the leaderboard
refuses to rank them next to results computed after it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from simagym.spec import TaskSpec

#: Bumped when the manifest's layout changes, so old and new hashes never collide by accident.
MANIFEST_FORMAT = 1


def canonical_json(data: Any) -> str:
    """Canonical JSON text: sorted keys, no spaces, no NaN."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(data: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``data``."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def task_data(spec: "TaskSpec") -> dict[str, Any]:
    """A task spec as plain JSON data (the checks as written in the task file); a team task
    (:class:`simagym.multi.spec.TeamSpec`) as its own fields and each role's."""
    if hasattr(spec, "roles"):
        team = spec.model_dump(mode="json", exclude={"roles", "description"})
        return {**team, "roles": [task_data(role) for role in spec.roles]}  # type: ignore[attr-defined]
    layout = spec.layout.model_dump(mode="json") if hasattr(spec.layout, "model_dump") else spec.layout
    return {
        "id": spec.id,
        "world": spec.world,
        "category": getattr(spec.category, "value", spec.category),
        "tags": list(spec.tags),
        "max_steps": spec.max_steps,
        "layout": layout,
        "slots": {name: list(values) for name, values in spec.slots.items()},
        "slot_order": list(spec.slots),
        "phrasings": {"train": list(spec.phrasings.train), "heldout": list(spec.phrasings.heldout)},
        "success": None if spec.success is None else spec.success.raw,
        "failure": None if spec.failure is None else spec.failure.raw,
        "heldout_compositions": [list(c) for c in spec.heldout_compositions],
        # The judge's rules, only where they differ from v1's (so published v1 hashes stay as they were).
        **({"settle": spec.settle} if spec.settle else {}),
        **({"strict": True} if spec.strict else {}),
    }


def suite_manifest(*, name: str, version: int, seeds: Sequence[int], splits: Sequence[str],
                   heldout_worlds: Sequence[str], tasks: Sequence[str],
                   specs: dict[str, "TaskSpec"]) -> dict[str, Any]:
    """Everything that decides what a suite runs (see the module docstring). ``specs`` maps
    task ids to their specs; a task without one (a bare id in a test) is hashed by its id."""
    return {
        "format": MANIFEST_FORMAT,
        "name": name,
        "version": version,
        "seeds": list(seeds),
        "splits": list(splits),
        "heldout_worlds": list(heldout_worlds),
        "tasks": [task_data(specs[t]) if t in specs else {"id": t} for t in tasks],
    }
