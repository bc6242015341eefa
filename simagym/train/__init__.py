"""Training language-conditioned agents: ``python -m simagym.train``.

One run (:mod:`simagym.train.pipeline`) makes a text encoder, collects oracle
demonstrations (:mod:`~simagym.train.demos`, cached on disk by
:mod:`~simagym.train.demo_cache`), trains the pixels + instruction policy
(:mod:`~simagym.train.policy`) by behaviour cloning (:mod:`~simagym.train.bc`),
then DAgger rounds (:mod:`~simagym.train.dagger`: the learner's own episodes relabelled
by the oracle, :mod:`~simagym.train.rollouts`) and/or PPO (:mod:`~simagym.train.ppo`), saves a checkpoint
(:mod:`~simagym.train.checkpoint`) and evaluates it next to the random agent. A team suite trains one
policy for every seat from the joint oracle's episodes (:mod:`~simagym.train.team`).
"""

import os

# Idle OpenMP threads sleep rather than spin. A spinning thread holds a core that a busy one (or a
# demonstration or env worker, or another job on a shared machine) needs: on 2 shared cores, two
# spinning torch threads ran behaviour cloning 5x slower than one, sleeping ones about as fast as
# one. The OpenMP runtime reads this when torch loads it, so it counts only if set before that.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
