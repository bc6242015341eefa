"""PPO from Stable-Baselines3 with simagym's language-conditioned policy: python examples/sb3_ppo.py [STEPS]"""

import sys

from stable_baselines3 import PPO

import simagym
from simagym.sb3 import policy_kwargs, text_encoder, wrap

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
text = text_encoder()  # a tokenizer of the catalogue's phrasings and a tiny BERT, made once and cached
env = wrap(simagym.make("meadow/go-to-house-v2"), text)  # macros, token ids, the last 3 frames
model = PPO("MultiInputPolicy", env, policy_kwargs=policy_kwargs(text), n_steps=min(256, steps),
            batch_size=min(64, steps), n_epochs=2, verbose=1)
model.learn(total_timesteps=steps)  # info["is_success"] feeds SB3's success_rate in the logs

obs, info = env.reset(seed=0)
done = False
while not done:
    action, _ = model.predict(obs)
    obs, reward, terminated, truncated, info = env.step(action)
    done = terminated or truncated
print("success" if info["is_success"] else "failure", "on", info["task_id"])
