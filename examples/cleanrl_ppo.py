"""CleanRL-style PPO over simagym's batched vector env, in one file.

    python examples/cleanrl_ppo.py --tasks meadow/go-to-house-v2 --num-envs 16 --total-timesteps 200000

Everything is here, top to bottom: the config (one dataclass), the agent (a small CNN whose
feature maps the instruction scales and shifts, FiLM), the rollout over
``simagym.make_vec`` (macro actions, gymnasium's next-step autoreset), GAE and the clipped
PPO update. Instructions become character ids with ``simagym.wrappers.VectorInstructionIds``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical

import simagym
from simagym.wrappers import CHAR_VOCAB, VectorInstructionIds


@dataclasses.dataclass
class Args:
    tasks: str = "meadow/go-to-house-v2"  # a task id, a glob pattern or a suite
    num_envs: int = 16
    num_steps: int = 64  # env steps per env per rollout
    total_timesteps: int = 200_000
    learning_rate: float = 2.5e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    num_minibatches: int = 4
    update_epochs: int = 4
    clip_coef: float = 0.2
    ent_coef: float = 0.01
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    max_tokens: int = 48  # characters of the instruction the agent reads
    seed: int = 1


class Agent(nn.Module):
    def __init__(self, n_actions: int, max_tokens: int) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(CHAR_VOCAB * max_tokens, 64, mode="sum", padding_idx=0)  # a character at a position
        self.convs = nn.ModuleList([nn.Conv2d(3, 32, 8, 4), nn.Conv2d(32, 64, 4, 2), nn.Conv2d(64, 64, 3, 1)])
        self.films = nn.ModuleList([nn.Linear(64, 2 * c.out_channels) for c in self.convs])
        self.body = nn.Sequential(nn.Flatten(), nn.LazyLinear(256), nn.ReLU())
        self.actor = nn.Linear(256 + 64, n_actions)
        self.critic = nn.Linear(256 + 64, 1)
        self.max_tokens = max_tokens

    def features(self, pixels: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device) * CHAR_VOCAB
        text = self.embed(torch.where(ids > 0, ids + positions, 0))
        h = pixels.permute(0, 3, 1, 2).float() / 255.0
        for conv, film in zip(self.convs, self.films):
            scale, shift = film(text).chunk(2, dim=-1)
            h = F.relu(conv(h) * (1 + scale[..., None, None]) + shift[..., None, None])
        return torch.cat([self.body(h), text], dim=1)

    def get_value(self, pixels, ids):
        return self.critic(self.features(pixels, ids)).squeeze(-1)

    def get_action_and_value(self, pixels, ids, action=None):
        hidden = self.features(pixels, ids)
        dist = Categorical(logits=self.actor(hidden))
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action), dist.entropy(), self.critic(hidden).squeeze(-1)


def main(args: Args) -> dict[str, float]:
    torch.manual_seed(args.seed)
    envs = VectorInstructionIds(simagym.make_vec(args.tasks, args.num_envs, macros=True), max_tokens=args.max_tokens)
    agent = Agent(envs.single_action_space.n, args.max_tokens)
    obs, _ = envs.reset(seed=args.seed)
    agent.get_value(torch.as_tensor(obs["pixels"]), torch.as_tensor(obs["instruction"]))  # sizes the lazy layer
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    n, t = args.num_envs, args.num_steps
    pixels = torch.zeros((t, n, *envs.single_observation_space["pixels"].shape), dtype=torch.uint8)
    ids = torch.zeros((t, n, args.max_tokens), dtype=torch.long)
    actions, logprobs, rewards, dones, values = (torch.zeros((t, n)) for _ in range(5))
    next_done = torch.zeros(n)
    episodes: list[float] = []
    start, global_step = time.time(), 0
    for iteration in range(max(1, args.total_timesteps // (n * t))):
        for step in range(t):
            global_step += n
            pixels[step], ids[step] = torch.as_tensor(obs["pixels"]), torch.as_tensor(obs["instruction"])
            dones[step] = next_done
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(pixels[step], ids[step])
            actions[step], logprobs[step], values[step] = action, logprob, value
            obs, reward, terminated, truncated, info = envs.step(action.numpy())
            rewards[step] = torch.as_tensor(reward, dtype=torch.float32)
            # Next-step autoreset: the step after an episode ends is a reset, whose transition is masked below.
            next_done = torch.as_tensor(terminated | truncated, dtype=torch.float32)
            episodes += info["success"][terminated | truncated].astype(float).tolist()

        with torch.no_grad():  # GAE; the reset transitions (done at t, reset at t + 1) carry no advantage
            next_value = agent.get_value(torch.as_tensor(obs["pixels"]), torch.as_tensor(obs["instruction"]))
            advantages = torch.zeros_like(rewards)
            lastgaelam = 0
            for step in reversed(range(t)):
                nextnonterminal = 1.0 - (next_done if step == t - 1 else dones[step + 1])
                nextvalues = next_value if step == t - 1 else values[step + 1]
                delta = rewards[step] + args.gamma * nextvalues * nextnonterminal - values[step]
                advantages[step] = lastgaelam = delta + args.gamma * args.gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values

        b_pixels, b_ids = pixels.reshape(n * t, *pixels.shape[2:]), ids.reshape(n * t, -1)
        b_actions, b_logprobs = actions.reshape(-1), logprobs.reshape(-1)
        b_adv, b_returns, b_valid = advantages.reshape(-1), returns.reshape(-1), 1.0 - dones.reshape(-1)
        minibatch = n * t // args.num_minibatches
        for _ in range(args.update_epochs):
            order = torch.randperm(n * t)
            for lo in range(0, n * t, minibatch):
                mb = order[lo: lo + minibatch]
                _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_pixels[mb], b_ids[mb], b_actions[mb])
                ratio = (newlogprob - b_logprobs[mb]).exp()
                adv = (b_adv[mb] - b_adv[mb].mean()) / (b_adv[mb].std() + 1e-8)
                pg_loss = torch.max(-adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef))
                v_loss = 0.5 * (newvalue - b_returns[mb]) ** 2
                valid = b_valid[mb]
                loss = ((pg_loss - args.ent_coef * entropy + args.vf_coef * v_loss) * valid).sum() / valid.sum().clamp(min=1)
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()
        recent = episodes[-100:]
        print(f"iteration {iteration + 1}: {global_step} steps, {global_step / (time.time() - start):.0f} steps/s, "
              f"success {np.mean(recent) if recent else float('nan'):.2f} over {len(recent)} episodes")
    envs.close()
    return {"steps": global_step, "episodes": len(episodes), "success": float(np.mean(episodes)) if episodes else 0.0}


def parse(argv: list[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for field in dataclasses.fields(Args):
        parser.add_argument("--" + field.name.replace("_", "-"), type=type(field.default), default=field.default)
    return Args(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main(parse())
