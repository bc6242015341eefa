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
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

import gymnasium as gym
import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

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


# --- checkpoint.json: every field typed and bounded (strict: "yes" is not a boolean, 2.0 not a count) ---

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


def _inside_folder(value: str) -> str:
    """A path relative to the checkpoint folder that cannot leave it (no absolute path, no ``..``)."""
    path = PurePosixPath(value)
    if not value or path.is_absolute() or PureWindowsPath(value).is_absolute() or "\\" in value \
            or any(part in ("..", "") for part in value.split("/")):
        raise ValueError(f"must be a relative path inside the checkpoint folder, got {value!r}")
    return value


InsidePath = Annotated[str, AfterValidator(_inside_folder)]


class ObservationMeta(BaseModel):
    model_config = _STRICT
    resolution: tuple[Annotated[int, Field(ge=16, le=256)], Annotated[int, Field(ge=16, le=256)]]
    frame_stack: int = Field(ge=1, le=64)
    max_tokens: int = Field(ge=2, le=4096)
    vocab_size: int = Field(ge=2, le=10_000_000)
    pad_id: int = Field(ge=0)
    no_language: bool


class MacrosMeta(BaseModel):
    model_config = _STRICT
    count: int = Field(ge=1)
    digest: str = Field(pattern=r"^[0-9a-f]{16}$")


class ArchitectureMeta(BaseModel):
    model_config = _STRICT
    channels: tuple[Annotated[int, Field(ge=1, le=4096)], ...] = Field(min_length=3, max_length=3)
    features_dim: int = Field(ge=1, le=65536)
    pad_id: int = Field(ge=0)
    freeze_text: bool = False
    click_map: bool = False  # checkpoints from before the click map have none
    text_dir: InsidePath = TEXT_DIR


class TrainedMeta(BaseModel):
    """What the policy was trained on: a description (extra fields are kept), with its known fields typed."""
    model_config = ConfigDict(extra="allow", strict=True, frozen=True)
    algo: str | None = None
    tasks: list[str] = []
    seed: int | None = Field(default=None, ge=0)
    run: str | None = None
    demos: str | None = None
    init: str | None = None
    cfg_dropout: float | None = Field(default=None, ge=0.0, lt=1.0)


class CheckpointMeta(BaseModel):
    """The schema of ``checkpoint.json``."""
    model_config = _STRICT
    format: Literal["simagym-policy"]
    format_version: int
    observation: ObservationMeta
    macros: MacrosMeta
    architecture: ArchitectureMeta
    weights: InsidePath = WEIGHTS_FILE
    simagym_version: str = ""
    trained: TrainedMeta = TrainedMeta()

    @model_validator(mode="after")
    def _pads_agree(self) -> "CheckpointMeta":
        if self.observation.pad_id != self.architecture.pad_id:
            raise ValueError("observation.pad_id and architecture.pad_id differ")
        if self.observation.pad_id >= self.observation.vocab_size:
            raise ValueError("observation.pad_id must be below vocab_size")
        return self


def _validation_problem(err: ValidationError) -> str:
    """The first problem of a pydantic error, as ``field 'a.b': message (got VALUE)``."""
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "<file>"
    got = f" (got {first['input']!r})" if first["type"] not in ("missing", "model_type") and \
        isinstance(first.get("input"), (str, int, float, bool, type(None))) else ""
    return f"field {where!r}: {first['msg'].removeprefix('Value error, ')}{got}"


def read_meta(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """(checkpoint folder, its validated ``checkpoint.json`` as plain data)."""
    folder = resolve(path)
    meta_path = folder / META_FILE
    try:
        text = meta_path.read_text(encoding="utf-8")
        meta = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{meta_path} is unreadable or corrupt ({err}); re-run training or copy the"
                              " checkpoint again") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{meta_path} is not a simagym policy checkpoint (format should be {FORMAT!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{meta_path} has format version {meta.get('format_version')!r}; this simagym reads"
                              f" version {FORMAT_VERSION}: re-train, or use the simagym version that wrote it")
    try:
        # As JSON: strict types, where a JSON array is a tuple.
        meta = CheckpointMeta.model_validate_json(text).model_dump()
    except ValidationError as err:
        raise CheckpointError(f"{meta_path}: {_validation_problem(err)}; the checkpoint is corrupt or was edited:"
                              " re-run training or copy it again") from None
    macros = meta["macros"]
    from simagym.macros import MACROS

    if macros["count"] != len(MACROS) or macros["digest"] != macro_digest():
        raise CheckpointError(
            f"{folder} was trained for a different macro list ({macros['count']} macros, digest"
            f" {macros['digest']}) than this simagym's ({len(MACROS)} macros, digest {macro_digest()});"
            " re-train with this version, or use the simagym version that wrote it")
    return folder, meta


def confined(folder: Path, relative: str, what: str) -> Path:
    """``folder / relative``, refused if a link takes it outside ``folder``."""
    path = folder / relative
    if not path.resolve().is_relative_to(folder.resolve()):
        raise CheckpointError(f"{folder / META_FILE}: {what} {relative!r} leads outside the checkpoint folder"
                              " (through a symbolic link); a checkpoint reads only its own files")
    return path


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
              click_map: bool, trained: dict[str, Any]) -> dict[str, Any]:
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
                         "freeze_text": freeze_text, "click_map": click_map, "text_dir": TEXT_DIR},
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
    text_dir = confined(folder, arch["text_dir"], "text_dir")
    weights = confined(folder, meta["weights"], "weights")
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
    if not all(bool(p.isfinite().all()) for p in policy.parameters()):
        raise CheckpointError(f"{weights} holds NaN or infinite weights (its training diverged); re-train it,"
                              " e.g. with a lower --lr")
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
