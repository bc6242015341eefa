"""Checkpoints: weights in safetensors plus a JSON description of the spaces.

A checkpoint folder::

    checkpoint.json       format, the spaces (resolution, frame stack, macros,
                          tokens), the architecture, and what it was trained on
    policy.safetensors    every weight of the policy (tensors only; no pickle)
    text/                 the tokenizer and the text encoder's config (a Hugging
                          Face folder; its own weights are a convenience copy)

A run folder holds one in ``checkpoint/``; :func:`resolve` accepts either.
Loading never unpickles anything: weights come from safetensors, the rest
from JSON. Anything that does not fit - another format, a different macro
list or observation shape, weights that do not match the architecture, a
truncated file - raises :class:`CheckpointError` naming the mismatch and the fix.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

FORMAT = "simagym-policy"
FORMAT_VERSION = 1
META_FILE = "checkpoint.json"
WEIGHTS_FILE = "policy.safetensors"
TEXT_DIR = "text"
RUN_SUBDIR = "checkpoint"


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded, or does not fit the env it is used in."""


def macro_digest() -> str:
    """Identifies the macro list: a checkpoint only makes sense with the list it was trained on."""
    from simagym.macros import MACROS

    return hashlib.sha256("\n".join(m.name for m in MACROS).encode()).hexdigest()[:16]


def resolve(path: str | os.PathLike[str]) -> Path:
    """The checkpoint folder for a run folder or a checkpoint folder."""
    folder = Path(path)
    if not folder.exists():
        raise CheckpointError(f"{folder} does not exist; pass a run folder written by `python -m simagym.train`"
                              " (or its checkpoint/ folder)")
    for candidate in (folder, folder / RUN_SUBDIR):
        if (candidate / META_FILE).is_file():
            return candidate
    raise CheckpointError(f"{folder} is not a simagym run or checkpoint folder (no {META_FILE} in it or in"
                          f" {RUN_SUBDIR}/); pass the folder written by `python -m simagym.train --out DIR`")


def read_meta(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """(checkpoint folder, its validated ``checkpoint.json``)."""
    folder = resolve(path)
    meta_path = folder / META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{meta_path} is unreadable or corrupt ({err}); re-run training or copy the"
                              " checkpoint again") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{meta_path} is not a simagym policy checkpoint (format should be {FORMAT!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{meta_path} has format version {meta.get('format_version')!r}; this simagym reads"
                              f" version {FORMAT_VERSION}: re-train, or use the simagym version that wrote it")
    for key in ("observation", "macros", "architecture"):
        if not isinstance(meta.get(key), dict):
            raise CheckpointError(f"{meta_path} has no {key!r} section; the checkpoint is corrupt")
    macros = meta["macros"]
    from simagym.macros import MACROS

    if macros.get("count") != len(MACROS) or macros.get("digest") != macro_digest():
        raise CheckpointError(
            f"{folder} was trained for a different macro list ({macros.get('count')} macros, digest"
            f" {macros.get('digest')}) than this simagym's ({len(MACROS)} macros, digest {macro_digest()});"
            " re-train with this version, or use the simagym version that wrote it")
    return folder, meta


def check_spaces(meta: dict[str, Any], observation_space: gym.Space | None = None,
                 action_space: gym.Space | None = None, where: str = "the checkpoint") -> None:
    """Raise :class:`CheckpointError` if the policy's spaces differ from these.

    ``observation_space`` is the env's raw one (``pixels`` H x W x 3) or the
    policy's stacked one (3K x H x W); ``action_space`` is ``Discrete(len(MACROS))``.
    """
    obs = meta["observation"]
    h, w = obs["resolution"]
    if observation_space is not None:
        if not isinstance(observation_space, gym.spaces.Dict) or "pixels" not in observation_space.spaces:
            raise CheckpointError(f"{where} needs Dict observations with 'pixels' and 'instruction'; got {observation_space}")
        shape = tuple(observation_space["pixels"].shape)
        if shape not in ((h, w, 3), (3 * obs["frame_stack"], h, w)):
            got = f"{shape[0]}x{shape[1]}" if len(shape) == 3 and shape[-1] == 3 else str(shape)
            raise CheckpointError(
                f"{where} was trained on {h}x{w} pixels but the env gives {got}; make the env with"
                f" simagym.make(task, resolution={h}) or re-train at that resolution")
    if action_space is not None:
        n = meta["macros"]["count"]
        if not isinstance(action_space, gym.spaces.Discrete) or int(action_space.n) != n:
            raise CheckpointError(
                f"{where} acts in Discrete({n}) macros but the env's action space is {action_space};"
                " wrap the env with simagym.macros.DiscreteActions")


def policy_space_of(meta: dict[str, Any]) -> gym.spaces.Dict:
    from simagym.train.policy import policy_space

    obs = meta["observation"]
    return policy_space(tuple(obs["resolution"]), obs["frame_stack"], obs["max_tokens"], obs["vocab_size"])


def save_checkpoint(folder: str | os.PathLike[str], policy, meta: dict[str, Any], text_dir: Path) -> Path:
    """Write ``policy`` and ``meta`` (see :func:`make_meta`) into ``folder``; return it."""
    import shutil

    from safetensors.torch import save_model

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target_text = folder / TEXT_DIR
    if text_dir.resolve() != target_text.resolve():
        if target_text.exists():
            shutil.rmtree(target_text)
        shutil.copytree(text_dir, target_text)
    # The trained encoder's weights, so text/ is a complete Hugging Face folder (usable as --text-encoder).
    policy.features_extractor.text.model.save_pretrained(target_text, safe_serialization=True)
    # Weights first, description last: a folder with checkpoint.json is complete.
    tmp = folder / (WEIGHTS_FILE + ".tmp")
    save_model(policy, str(tmp), metadata={"format": "pt"})
    os.replace(tmp, folder / WEIGHTS_FILE)
    meta_tmp = folder / (META_FILE + ".tmp")
    meta_tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(meta_tmp, folder / META_FILE)
    return folder


def make_meta(*, resolution: int, frame_stack: int, max_tokens: int, vocab_size: int, pad_id: int,
              no_language: bool, channels: tuple[int, ...], features_dim: int, freeze_text: bool,
              trained: dict[str, Any]) -> dict[str, Any]:
    from simagym import __version__
    from simagym.macros import MACROS

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "observation": {"resolution": [resolution, resolution], "frame_stack": frame_stack,
                        "max_tokens": max_tokens, "vocab_size": vocab_size, "pad_id": pad_id,
                        "no_language": no_language},
        "macros": {"count": len(MACROS), "digest": macro_digest()},
        "architecture": {"channels": list(channels), "features_dim": features_dim, "pad_id": pad_id,
                         "freeze_text": freeze_text, "text_dir": TEXT_DIR},
        "weights": WEIGHTS_FILE,
        "simagym_version": __version__,
        "trained": trained,
    }


def load_policy(path: str | os.PathLike[str], observation_space: gym.Space | None = None,
                action_space: gym.Space | None = None):
    """(policy in eval mode, meta, instruction codec) from a run or checkpoint folder.

    With spaces given, they are checked against the checkpoint first.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_model
    from gymnasium.spaces import Discrete

    from simagym.train.policy import build_policy
    from simagym.train.text import InstructionCodec, TextEncoderError, load_tokenizer

    folder, meta = read_meta(path)
    check_spaces(meta, observation_space, action_space, where=str(folder))
    obs, arch = meta["observation"], meta["architecture"]
    text_dir = folder / arch.get("text_dir", TEXT_DIR)
    weights = folder / meta.get("weights", WEIGHTS_FILE)
    if not weights.is_file():
        raise CheckpointError(f"{weights} is missing; the checkpoint is incomplete: re-run training or copy it again")
    try:
        tokenizer = load_tokenizer(text_dir)
        policy = build_policy(policy_space_of(meta), Discrete(meta["macros"]["count"]), arch, text_dir,
                              text_weights=False)
    except (TextEncoderError, OSError, KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"cannot rebuild the policy described by {folder / META_FILE}: {err}") from None
    if len(tokenizer) != obs["vocab_size"]:
        raise CheckpointError(f"{text_dir} has a tokenizer of {len(tokenizer)} tokens but the checkpoint expects"
                              f" {obs['vocab_size']}; the text folder belongs to another run")
    try:
        missing, unexpected = load_model(policy, str(weights), strict=False)
    except (SafetensorError, OSError, RuntimeError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"{weights} does not fit the architecture in {META_FILE} or is corrupt ({first});"
                              " re-run training or copy the checkpoint again") from None
    if missing or unexpected:
        parts = ([f"missing {', '.join(missing[:3])}"] if missing else []) + (
            [f"unexpected {', '.join(unexpected[:3])}"] if unexpected else [])
        raise CheckpointError(f"{weights} does not match the architecture in {META_FILE} ({'; '.join(parts)});"
                              " it belongs to another checkpoint: re-run training or copy it again")
    policy.eval()
    for p in policy.parameters():
        p.requires_grad_(False)
    codec = InstructionCodec(tokenizer, obs["max_tokens"], blank=bool(obs["no_language"]))
    if codec.pad_id != obs["pad_id"]:
        raise CheckpointError(f"{text_dir} pads with id {codec.pad_id} but the checkpoint was trained with"
                              f" {obs['pad_id']}; the text folder belongs to another run")
    return policy, meta, codec


def state_fingerprint(policy) -> str:
    """A short hash of the weights (to check a round trip)."""
    h = hashlib.sha256()
    for name, tensor in sorted(policy.state_dict().items()):
        h.update(name.encode())
        h.update(np.ascontiguousarray(tensor.detach().cpu().numpy()).tobytes())
    return h.hexdigest()[:16]
