"""The instruction's alphabet: what the ``instruction`` part of an observation may contain."""

from __future__ import annotations

import string

from gymnasium import spaces

#: Letters, digits, the space and common punctuation. Task files are checked against it.
CHARSET: str = string.ascii_letters + string.digits + " .,;:!?'\"-()/&"
MAX_INSTRUCTION_LENGTH = 128


def instruction_space() -> spaces.Text:
    return spaces.Text(max_length=MAX_INSTRUCTION_LENGTH, min_length=1, charset=CHARSET)
