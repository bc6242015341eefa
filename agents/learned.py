"""A trained policy as an agent: loads a run folder written by ``python -m simagym.train``.

It sees only what every agent sees (pixels and the instruction text), keeps
its own frame stack, and samples its macro from the policy (seeded: the
evaluation runner seeds each episode's agent with the episode's seed, so
results repeat). Sampling is the default because the most likely macro
(``deterministic=True``) loops: in a partial view the same frame stack
recurs, and an argmax agent repeats the same move forever. On the default
training run, sampling succeeded in 88.6% of train-default episodes where the
argmax did in 74.3%. Loaded weights are cached per process, so an evaluation
worker that makes a fresh agent for every episode loads the checkpoint once.

``temperature=T`` samples from ``softmax(logits / T)``: below 1 the agent keeps to its likely
macros more often while still breaking loops (T -> 0 is the argmax).

``cfg=LAMBDA`` acts with classifier-free guidance on language (SIMA's method):
on ``logits(instruction) + LAMBDA * (logits(instruction) - logits(blank))``, the
blank being the empty instruction that ``--no-language`` and training's
``--cfg-dropout`` use (an agent trained without it is refused). 0 is the plain
policy; larger values push the action further towards what the instruction adds.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from simagym.agents.base import Agent

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported: never the network

_LOADED: dict[tuple[str, int, int, str], tuple[Any, dict[str, Any], Any]] = {}


def _load(path: str | os.PathLike[str], device):
    """(policy on ``device``, meta, codec), cached by the checkpoint's location, its weights' identity
    and the device."""
    from simagym.train.checkpoint import WEIGHTS_FILE, load_policy, resolve

    folder = resolve(path).resolve()
    try:
        stat = (folder / WEIGHTS_FILE).stat()
        key = (str(folder), stat.st_mtime_ns, stat.st_size, str(device))
    except OSError:
        key = (str(folder), 0, 0, str(device))  # load_policy reports the missing file
    found = _LOADED.get(key)
    if found is None:
        policy, meta, codec = load_policy(folder)
        found = _LOADED[key] = (policy.to(device), meta, codec)
    return found


def guided_logits(conditioned, blank, scale: float):
    """Classifier-free guidance: ``conditioned + scale * (conditioned - blank)`` (tensors or arrays alike)."""
    return conditioned + scale * (conditioned - blank)


class LearnedAgent(Agent):
    name = "learned"
    description = "a policy trained by python -m simagym.train (pixels + instruction -> macros)"

    def __init__(self, path: str | os.PathLike[str], seed: int | None = None, deterministic: bool = False,
                 device: str = "auto", cfg: float = 0.0, temperature: float = 1.0) -> None:
        import math

        import torch

        from simagym.train.device import resolve_device

        if not math.isfinite(cfg):
            raise ValueError(f"cfg must be a finite number (the guidance scale; 0 = none), got {cfg}")
        if not (math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"temperature must be a finite number above 0 (1 = the policy as trained; use"
                             f" deterministic=True for the argmax), got {temperature}")

        self.path = Path(path)
        self.device = resolve_device(device)  # auto: a CUDA GPU when torch sees one
        self.policy, self.meta, self.codec = _load(path, self.device)
        obs = self.meta["observation"]
        self.resolution = tuple(obs["resolution"])
        self.frame_stack = int(obs["frame_stack"])
        self.deterministic = deterministic
        self.cfg = float(cfg)
        self.temperature = float(temperature)
        if self.cfg and self.meta.get("trained", {}).get("cfg_dropout") == 0:
            raise ValueError(f"{self.path} was trained without --cfg-dropout, so it never learned to act on the"
                             " blank instruction that guidance contrasts with; train with --cfg-dropout 0.1 to use"
                             " --cfg")
        self._rng = np.random.default_rng(seed)
        self._torch = torch
        self._frames: deque[np.ndarray] = deque(maxlen=self.frame_stack)
        self._text = None

    def reset(self, instruction: str, env: Any | None = None) -> None:
        torch = self._torch
        self._frames.clear()
        ids = torch.as_tensor(self.codec.ids(instruction)[None], device=self.device)
        if self.cfg:  # a second row: the blank instruction (the empty text, as --no-language encodes it)
            ids = torch.cat([ids, torch.as_tensor(self.codec.ids("")[None], device=self.device)])
        with torch.inference_mode():
            # The instruction is fixed for the episode: embed it once.
            self._text = self.policy.features_extractor.embed(ids)

    #: Evaluation plays this many episodes side by side: one forward pass acts for all of them.
    group_size = 32

    def act(self, observation: dict[str, Any]) -> int:
        return self.act_together([self], [observation])[0]

    @classmethod
    def act_together(cls, agents, observations) -> list[int]:
        """One forward pass for several episodes of the same run (its frames as BC saw them: uint8
        stacks); each agent then samples (or takes the argmax) with its own seeded generator."""
        import torch

        from simagym.train.policy import logits

        lead = agents[0]
        if any(a.policy is not lead.policy or len(a._text) != len(lead._text) for a in agents[1:]):
            return [cls.act_together([a], [o])[0] for a, o in zip(agents, observations)]  # not one network
        rows = len(lead._text)  # 1, or 2 with guidance (the instruction and the blank)
        stacks = torch.as_tensor(np.stack([a._stack(o) for a, o in zip(agents, observations)]), device=lead.device)
        with torch.inference_mode():
            out = logits(lead.policy, stacks.repeat_interleave(rows, 0), torch.cat([a._text for a in agents])).cpu()
        return [a._choose(out[i * rows:(i + 1) * rows]) for i, a in enumerate(agents)]

    def _stack(self, observation: dict[str, Any]) -> np.ndarray:
        """This episode's last K frames (K, H, W, 3), oldest first, after adding ``observation``'s."""
        from simagym.train.checkpoint import CheckpointError

        if self._text is None:
            raise RuntimeError("call reset() before act()")
        frame = np.asarray(observation["pixels"])
        if frame.shape != (*self.resolution, 3):
            h, w = self.resolution
            raise CheckpointError(
                f"{self.path} was trained on {h}x{w} pixels but got a {frame.shape[0]}x{frame.shape[1]} frame;"
                f" make the env with simagym.make(task, resolution={h}) or re-train at that resolution")
        if not self._frames:
            self._frames.extend([frame] * self.frame_stack)  # as the training wrapper does at reset
        else:
            self._frames.append(frame)
        return np.stack(self._frames)

    def distribution(self, observation: dict[str, Any]) -> np.ndarray:
        """The probability of each macro this tick (guided, at the agent's temperature): what :meth:`act`
        samples from, for diagnostics such as the oracle's macro's probability along the oracle's own path.
        Like :meth:`act`, it adds ``observation``'s frame to the episode's stack."""
        import torch

        from simagym.train.policy import logits

        rows = len(self._text)
        stack = torch.as_tensor(self._stack(observation)[None], device=self.device)
        with torch.inference_mode():
            out = logits(self.policy, stack.repeat_interleave(rows, 0), self._text).cpu()
        return self._probabilities(self._guided(out))

    def _guided(self, out):
        return guided_logits(out[0], out[1], self.cfg) if self.cfg else out[0]

    def _probabilities(self, out) -> np.ndarray:
        probs = self._torch.softmax(out.double() / self.temperature, 0).numpy()
        return probs / probs.sum()

    def _choose(self, out) -> int:
        """The macro from this episode's logits row(s): guided if asked, then argmax or a sample."""
        out = self._guided(out)
        if self.deterministic:
            return int(out.argmax())
        probs = self._probabilities(out)
        return int(self._rng.choice(len(probs), p=probs))

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.policy.parameters())

    def settings(self) -> dict[str, Any]:
        settings = {"deterministic": self.deterministic, "cfg": self.cfg}
        # Named only when it differs from 1, so results recorded before the option existed resume as they were.
        return settings if self.temperature == 1.0 else {**settings, "temperature": self.temperature}
