"""The project's language-conditioned policy in your own Stable-Baselines3 code.

:class:`InstructedCNN` is an SB3 features extractor over stacked frames and instruction
token ids (a CNN modulated by the instruction with FiLM in every block; see
:mod:`simagym.train.policy`). Three helpers set it up::

    from stable_baselines3 import PPO
    import simagym
    from simagym.sb3 import policy_kwargs, text_encoder, wrap

    text = text_encoder()                                    # tokenizer + tiny BERT, made once and cached
    env = wrap(simagym.make("meadow/go-to-house-v2"), text)  # macros, token ids, 3 stacked frames
    model = PPO("MultiInputPolicy", env, policy_kwargs=policy_kwargs(text))

``text_encoder`` builds the default text encoder (a WordPiece tokenizer learned from the
catalogue's training phrasings and a small BERT with random weights) as a Hugging Face
folder; any local Hugging Face encoder folder works in its place.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Sequence

import gymnasium as gym

from simagym.train.policy import InstructedCNN, InstructedPolicy
from simagym.train.policy import policy_kwargs as _policy_kwargs
from simagym.train.text import InstructionCodec, TinyEncoderSpec, load_tokenizer, make_text_folder, training_corpus
from simagym.wrappers import DiscreteActions, InstructionIds, StackPixels

MAX_TOKENS = 32  # the policy's instruction length, as `python -m simagym.train` uses
FRAME_STACK = 3


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "simagym" / "text"


def text_encoder(folder: str | os.PathLike[str] | None = None, *, tasks: Sequence[str] | None = None,
                 vocab_size: int = 512, seed: int = 0) -> str:
    """A Hugging Face folder with the default text encoder, made on first use: a tokenizer over the
    training phrasings of ``tasks`` (default every installed task) and a tiny BERT (seeded). Without
    ``folder`` it is cached under ``$XDG_CACHE_HOME/simagym/text``, keyed by its inputs."""
    if folder is None:  # keyed by what the encoder is made from: the phrasings themselves, not task names
        import simagym

        corpus = training_corpus(None if not tasks else [simagym.get_task(t) for t in tasks])
        made_of = repr((corpus, vocab_size, seed, TinyEncoderSpec(max_tokens=MAX_TOKENS)))
        folder = _cache_dir() / hashlib.sha256(made_of.encode()).hexdigest()[:16]
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        make_text_folder(folder, pretrained=None, vocab_size=vocab_size, spec=TinyEncoderSpec(max_tokens=MAX_TOKENS),
                         seed=seed, tasks=tasks)
    return str(folder)


def wrap(env: gym.Env, text_dir: str | os.PathLike[str], *, max_tokens: int = MAX_TOKENS,
         frame_stack: int = FRAME_STACK) -> gym.Env:
    """``env`` as :class:`InstructedCNN` reads it: macro actions, token ids from ``text_dir``'s tokenizer,
    the last ``frame_stack`` frames channel-first."""
    codec = InstructionCodec(load_tokenizer(text_dir), max_tokens)
    env = InstructionIds(DiscreteActions(env), encode=codec.encode, vocab_size=codec.vocab_size,
                         max_tokens=max_tokens, pad_id=codec.pad_id)
    return StackPixels(env, frame_stack)


def policy_kwargs(text_dir: str | os.PathLike[str], *, channels: Sequence[int] = (48, 32, 32), features_dim: int = 256,
                  freeze_text: bool = False, click_map: bool = True) -> dict[str, Any]:
    """``policy_kwargs`` for SB3's ``MultiInputPolicy`` (PPO, A2C...) that make :class:`InstructedCNN` its
    features extractor, with the text encoder in ``text_dir`` (its weights are loaded and trained).

    ``click_map``: the features end with a score per click cell; :class:`InstructedPolicy` (``PPO(InstructedPolicy,
    env, ...)``) adds them to the click macros' logits, as ``python -m simagym.train`` does, and any other
    policy reads them as 64 more features."""
    codec = InstructionCodec(load_tokenizer(text_dir), MAX_TOKENS)
    arch = {"channels": list(channels), "features_dim": features_dim, "pad_id": codec.pad_id, "freeze_text": freeze_text,
            "click_map": click_map}
    return _policy_kwargs(arch, text_dir, text_weights=True)


__all__ = ["InstructedCNN", "InstructedPolicy", "policy_kwargs", "text_encoder", "wrap"]
