"""``python -m simagym.train``: train a language-conditioned agent, then evaluate it (see ``pipeline``)."""

import os

# Idle OpenMP threads sleep rather than spin. A spinning thread holds a core that a busy one (or a
# demonstration or env worker, or another job on a shared machine) needs: on 2 shared cores, two
# spinning torch threads ran behaviour cloning 5x slower than one, sleeping ones about as fast as
# one. The OpenMP runtime reads this when torch loads it, so it counts only if set before that.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
