"""``python -m simagym`` is the ``simagym`` command."""

from simagym.cli import main

raise SystemExit(main())
