"""Training language-conditioned agents: ``python -m simagym.train``.

One run (:mod:`simagym.train.pipeline`) makes a text encoder, collects oracle
demonstrations (:mod:`~simagym.train.demos`), trains the pixels + instruction
policy (:mod:`~simagym.train.policy`) by behaviour cloning (:mod:`~simagym.train.bc`)
and/or PPO (:mod:`~simagym.train.ppo`), saves a checkpoint
(:mod:`~simagym.train.checkpoint`) and evaluates it next to the random agent.
"""
