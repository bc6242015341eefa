"""Agents: the random baseline, the privileged oracle, and loaders for others."""

from __future__ import annotations

import importlib
import inspect
import os
from typing import Any, Mapping

from simagym.agents.base import Agent

BUILTIN = {
    "random": "simagym.agents.random_agent:RandomAgent",
    "oracle": "simagym.agents.oracle:OracleAgent",
}


def load_agent(spec: str, seed: int | None = None, options: Mapping[str, Any] | None = None) -> Agent:
    """``random``, ``oracle``, ``package.module:ClassName`` of an :class:`Agent` subclass, or the
    path of a run folder written by ``python -m simagym.train`` (a :class:`LearnedAgent`).

    ``options`` (``deterministic``, ``cfg``, ``temperature``) say how a learned agent acts; other agents take none.
    """
    if spec not in BUILTIN and _is_run_path(spec):
        from simagym.agents.learned import LearnedAgent

        return LearnedAgent(spec, seed=seed, **(options or {}))  # CheckpointError (a ValueError) says what is wrong
    if options:
        raise ValueError(f"{', '.join(options)} applies to a trained agent (a run folder from python -m simagym.train),"
                         f" not {spec!r}")
    target = BUILTIN.get(spec, spec)
    if ":" not in target:
        raise ValueError(
            f"unknown agent {spec!r}; use one of {', '.join(BUILTIN)}, 'package.module:ClassName'"
            " or the path of a run folder from python -m simagym.train"
        )
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"cannot load agent {spec!r}: {err}") from None
    except Exception as err:  # the module itself fails while importing
        raise ValueError(f"cannot load agent {spec!r}: importing {module_name} raised {_one_line(err)}") from None
    if not (isinstance(cls, type) and issubclass(cls, Agent)):
        raise ValueError(f"agent {spec!r} is not a simagym.agents.base.Agent subclass")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise ValueError(f"agent {spec!r} is abstract: implement {missing} (see simagym.agents.base.Agent)")
    takes_seed = _accepts_seed(cls)
    try:
        return cls(seed=seed) if takes_seed else cls()
    except Exception as err:
        raise ValueError(f"agent {spec!r} failed to start: {cls.__name__}"
                         f"({'seed=' + repr(seed) if takes_seed else ''}) raised {_one_line(err)}") from None


def _accepts_seed(cls: type) -> bool:
    """Whether the agent's constructor takes ``seed`` (agents without randomness need not)."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _is_run_path(spec: str) -> bool:
    # An existing folder, or something spelled like a path ("runs/x", "./x"), never a module:Class spec.
    return os.path.isdir(spec) or (("/" in spec or os.sep in spec) and ":" not in spec)
