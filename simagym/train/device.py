"""Which torch device trains and runs the policy: ``auto``, ``cpu`` or ``cuda`` (``cuda:N``)."""

from __future__ import annotations

from simagym.train.config import ConfigError

DEVICES = ("auto", "cpu", "cuda")


class DeviceError(ConfigError):
    """A device that this machine or this torch build does not have."""


def is_device_name(name: str) -> bool:
    return name in DEVICES or (name.startswith("cuda:") and name[5:].isdigit())


def resolve_device(name: str = "auto"):
    """``auto``: the GPU when torch sees one (``torch.cuda.is_available()``), else the CPU.

    Asking for ``cuda`` on a machine (or a torch build) without one raises :class:`DeviceError`
    with a one-line message, rather than failing deep inside the first update.
    """
    import torch

    if not is_device_name(name):
        raise DeviceError(f"device: expected auto, cpu, cuda or cuda:N, got {name!r}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            build = f"torch {torch.__version__}" + ("" if torch.version.cuda else ", a CPU-only build")
            raise DeviceError(f"device: {name} was asked for, but torch sees no CUDA GPU here ({build});"
                              " use --device cpu, or auto to take a GPU only when there is one")
        index = int(name[5:]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(f"device: {name} was asked for, but torch sees {torch.cuda.device_count()} GPU(s)")
    return torch.device(name)
