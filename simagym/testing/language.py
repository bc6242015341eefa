"""Every instruction a task can give fits the observation's text space: each phrasing of both
splits, filled with each combination of slot values."""

from __future__ import annotations

import simagym
from simagym.spec import Split
from simagym.text import instruction_space


def check_instructions(task_id: str) -> list[str]:
    """Each text in the instruction space (charset and length); reports the first few that are not."""
    spec = simagym.get_task(task_id)
    space = instruction_space()
    bad: list[str] = []
    for split in Split:
        for template in spec.phrasings.of(split):
            for instruction in spec.all_instructions(split, template):
                if not space.contains(instruction.text):
                    outside = sorted(set(instruction.text) - set(space.character_set))
                    why = f"characters {outside} outside the charset" if outside else \
                        f"{len(instruction.text)} characters (at most {space.max_length})"
                    bad.append(f"{task_id}: {split.value} instruction {instruction.text!r} has {why}")
    return bad[:5] + ([f"{task_id}: ... and {len(bad) - 5} more"] if len(bad) > 5 else [])
