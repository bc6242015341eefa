"""The kit as pytest tests: one parametrized test, one item per check, so a plugin's test file is::

    from simagym.testing import kit_tests

    test_orchard = kit_tests("orchard")
"""

from __future__ import annotations

from typing import Callable, Sequence

from simagym.testing.kit import SEEDS, cases
from simagym.testing.problems import raise_if


def kit_tests(world: str | None = None, *, tasks: str | None = None, seeds: Sequence[int] = SEEDS) -> Callable:
    """A test function parametrized over every check of ``world`` (or of the ``tasks`` pattern);
    assign it to a ``test_*`` name in a test module."""
    import pytest

    found = cases(world, tasks, seeds)

    @pytest.mark.parametrize("case", found, ids=[case.id for case in found])
    def test_kit(case) -> None:
        raise_if(case.run())

    return test_kit
