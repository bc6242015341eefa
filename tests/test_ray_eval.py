"""``--backend ray``: the same evaluation as Ray tasks, against a local Ray instance this module starts.

The results must equal the local backend's for the same seeds, a run interrupted midway must resume with
each episode written exactly once, and a trained agent's checkpoint must reach nodes that lack its folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from simagym.eval import load_suite, run_eval  # noqa: E402
from simagym.eval.__main__ import main  # noqa: E402
from simagym.eval.ray_backend import RayCluster, _pack_checkpoint, _unpack_checkpoint  # noqa: E402
from simagym.eval.results import EPISODES_FILE  # noqa: E402
from simagym.headless import configure_sdl  # noqa: E402

configure_sdl()

TASKS = ["meadow/go-to-house-v2", "meadow/open-menu-v2"]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(f"name: mini\nversion: 1\ndescription: ray test suite\ntasks: {json.dumps(TASKS)}\n"
                    "seeds: {start: 7, count: 3}\nsplits: [train, heldout]\n", encoding="utf-8")
    return path


@pytest.fixture
def suite(suite_file: Path):
    return load_suite(str(suite_file))


def lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / EPISODES_FILE).read_text(encoding="utf-8").splitlines()]


def by_key(records: list[dict]) -> dict[tuple, dict]:
    return {(r["task"], r["seed"], r["split"]): r for r in records}


def test_ray_gives_the_local_results(local_ray, suite, tmp_path: Path) -> None:
    local = run_eval("random", suite, tmp_path / "local", episodes_per_task=2)
    remote = run_eval("random", suite, tmp_path / "ray", episodes_per_task=2, backend=RayCluster())
    records = lines(tmp_path / "ray")
    assert len(records) == len(by_key(records)) == local.planned == remote.ran
    assert by_key(records) == by_key(lines(tmp_path / "local"))
    assert remote.summary == local.summary


def test_an_interrupted_ray_run_resumes_with_each_episode_once(local_ray, suite, tmp_path: Path) -> None:
    out = tmp_path / "ray"
    seen = []

    def stop_after_three(record: dict) -> None:
        seen.append(record)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_eval("random", suite, out, episodes_per_task=2, on_result=stop_after_three,
                 backend=RayCluster(max_in_flight=2))
    assert len(lines(out)) == 3  # what finished before the interrupt is saved, nothing more
    resumed = run_eval("random", suite, out, episodes_per_task=2, backend=RayCluster())
    assert (resumed.skipped, resumed.ran) == (3, resumed.planned - 3)
    records = lines(out)
    assert len(records) == len(by_key(records)) == resumed.planned
    local = run_eval("random", suite, tmp_path / "local", episodes_per_task=2)
    assert by_key(records) == by_key(local.records) and resumed.summary == local.summary


def test_cli_backend_ray_writes_the_run_folder(local_ray, suite_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["--agent", "random", "--suite", str(suite_file), "--episodes", "1", "--backend", "ray",
                 "--out", str(out), "--no-progress"]) == 0
    assert len(lines(out)) == len(TASKS) * 2 and (out / "summary.json").is_file()


def test_address_without_the_ray_backend_is_a_one_line_error(suite_file: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--suite", str(suite_file), "--address", "auto", "--out", str(tmp_path / "x")]) == 2
    assert "--address applies to --backend ray" in capsys.readouterr().err


def test_a_trained_agents_checkpoint_travels_to_nodes_without_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simagym.eval.ray_backend._UNPACKED", tmp_path / "node-temp")
    run = tmp_path / "run"
    (run / "checkpoint" / "text").mkdir(parents=True)
    (run / "checkpoint" / "checkpoint.json").write_text('{"format": 1}')
    (run / "checkpoint" / "policy.safetensors").write_bytes(bytes(range(256)))
    (run / "checkpoint" / "text" / "vocab.txt").write_text("go\nto\n")
    files = _pack_checkpoint(str(run))
    assert _pack_checkpoint("random") is None and _pack_checkpoint("crashy_agent:Crashy") is None
    unpacked = Path(_unpack_checkpoint(files))
    assert unpacked.parent == tmp_path / "node-temp" and _unpack_checkpoint(files) == str(unpacked)  # once per node
    for name in ("checkpoint.json", "policy.safetensors", "text/vocab.txt"):
        assert (unpacked / name).read_bytes() == (run / "checkpoint" / name).read_bytes()


def test_a_trained_agent_on_ray_gives_the_local_results(local_ray, suite, tmp_path: Path) -> None:
    """The checkpoint reaches the Ray workers through the object store; its groups play as they do locally."""
    from simagym.train.__main__ import main as train

    run = tmp_path / "trained"
    assert train(["--tasks", TASKS[0], "--demos", "3", "--steps", "32", "--batch-size", "16", "--workers", "1",
                  "--no-eval", "--no-progress", "--demo-cache", "off", "--out", str(run)]) == 0
    local = run_eval(str(run), suite, tmp_path / "local", episodes_per_task=1)
    remote = run_eval(str(run), suite, tmp_path / "ray", episodes_per_task=1, backend=RayCluster())
    assert by_key(lines(tmp_path / "ray")) == by_key(lines(tmp_path / "local")) and remote.summary == local.summary
