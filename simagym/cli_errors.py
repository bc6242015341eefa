"""One-line errors for simagym's command-line tools: a bad argument, or a run that
cannot go on, is one line on stderr - ``PROG: error: MESSAGE`` - and exit status 2,
never argparse's usage block or a traceback::

    parser = OneLineParser(prog=PROG, description=...)
    ...
    def main(argv=None) -> int:
        try:
            args = parser.parse_args(argv)
        except UsageError as err:
            return usage_error(PROG, err)
        ...
        except SomeRunError as err:
            return fail(PROG, err)
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import NoReturn

USAGE_ERROR = 2  # the exit status of a bad argument, as argparse's own


class UsageError(Exception):
    """A bad argument. ``prog`` is the (sub)command whose parser found it, when one did."""

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.prog = prog


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors raise :class:`UsageError` instead of printing the usage block and
    exiting. For subcommands pass ``add_subparsers(parser_class=OneLineParser)``."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.prog)


def positive_int(text: str) -> int:
    """An argparse ``type``: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse ``type``: a whole number >= 0 (a seed)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def fail(prog: str, message: object) -> int:
    """Write ``PROG: error: MESSAGE`` as one line on stderr (plain, so scripts can grep it);
    returns the exit status, 2."""
    sys.stderr.write(f"{prog}: error: {message}\n")
    return USAGE_ERROR


def usage_error(prog: str, err: UsageError) -> int:
    """:func:`fail` for a bad argument, pointing at ``--help``."""
    return fail(prog, f"{err} (see --help)")


def configure_logging(verbose: bool = False) -> None:
    """Warnings as ``LEVEL logger: message`` lines; ``--verbose`` adds simagym's debug messages."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if verbose:
        logging.getLogger("simagym").setLevel(logging.DEBUG)


__all__ = ["USAGE_ERROR", "UsageError", "OneLineParser", "positive_int", "non_negative_int", "fail", "usage_error", "configure_logging"]
