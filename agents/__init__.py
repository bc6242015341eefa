"""Agents: the random baseline, the privileged oracle, and loaders for others."""

from __future__ import annotations

import importlib

from simagym.agents.base import Agent

BUILTIN = {
    "random": "simagym.agents.random_agent:RandomAgent",
    "oracle": "simagym.agents.oracle:OracleAgent",
}


def load_agent(spec: str, seed: int | None = None) -> Agent:
    """``random``, ``oracle``, or ``package.module:ClassName`` of an :class:`Agent` subclass."""
    target = BUILTIN.get(spec, spec)
    if ":" not in target:
        raise ValueError(
            f"unknown agent {spec!r}; use one of {', '.join(BUILTIN)} or 'package.module:ClassName'"
        )
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"cannot load agent {spec!r}: {err}") from None
    if not (isinstance(cls, type) and issubclass(cls, Agent)):
        raise ValueError(f"agent {spec!r} is not a simagym.agents.base.Agent subclass")
    try:
        return cls(seed=seed)
    except TypeError:
        return cls()
