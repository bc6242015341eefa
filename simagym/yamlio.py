"""YAML for the data files simagym reads from users and plugins (task files, suites).

``yaml.safe_load`` builds no objects, but it still silently keeps the last of two equal
keys (a task's second ``success:`` wins unseen) and expands aliases, so a few hundred
bytes can unfold into gigabytes (the "billion laughs"). :func:`load` refuses both, and
files over :data:`MAX_BYTES`.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 2_000_000


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in simagym files; "
                                              "write the value out", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """Parse untrusted YAML: no duplicate keys, no aliases, at most :data:`MAX_BYTES`.
    Raises ``yaml.YAMLError`` with the line of the problem."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise yaml.YAMLError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
