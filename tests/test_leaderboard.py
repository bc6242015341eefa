"""The leaderboard: results verification and refusals, the static site, escaping, and a real headless browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import simagym
from simagym.eval.__main__ import main as eval_main
from simagym.eval.results import EPISODES_FILE, RUN_FILE
from simagym.eval.summary import SUMMARY_FILE
from simagym.headless import configure_sdl
from simagym.leaderboard.__main__ import main as lb_main

configure_sdl()

EVIL_NAME = "<script>alert(1)</script>"
EVIL_DESCRIPTION = '<img src=x onerror="alert(2)"> | not a | table'


def _tasks() -> list[str]:
    """A quick menu task, a multi-slot object task and a navigation task (Meadow's when installed)."""
    specs = sorted(simagym.list_tasks(world="meadow") or simagym.list_tasks(), key=lambda s: (s.max_steps, s.id))
    chosen = []
    for want in (lambda s: s.category.value == "menu", lambda s: len(s.slots) >= 2, lambda s: s.category.value == "navigation"):
        chosen += [next(s.id for s in specs if want(s) and s.id not in chosen)]
    return chosen


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An oracle run and a random run (with a hostile name) of a small suite, each with rollout GIFs."""
    root = tmp_path_factory.mktemp("lb")
    suite = root / "mini.yaml"
    suite.write_text(
        f"name: mini\nversion: 1\ntasks: {json.dumps(_tasks())}\nseeds: {{start: 3, count: 2}}\n"
        "splits: [train, heldout, heldout-composition]\n", encoding="utf-8")
    common = ["--suite", str(suite), "--workers", "1", "--no-progress", "--record-videos", "1"]
    assert eval_main(["--agent", "oracle", "--out", str(root / "oracle"), *common]) == 0
    assert eval_main(["--agent", "random", "--out", str(root / "random"), "--name", EVIL_NAME,
                      "--description", EVIL_DESCRIPTION, *common]) == 0
    return {"suite": suite, "oracle": root / "oracle", "random": root / "random", "root": root}


def build(runs: dict[str, Path], out: Path, *folders: Path, extra: tuple[str, ...] = ()) -> int:
    return lb_main(["build", *map(str, folders), "--out", str(out), "--suite", str(runs["suite"]), *extra])


def tampered(runs: dict[str, Path], tmp_path: Path, name: str = "oracle") -> Path:
    copy = tmp_path / f"{name}-copy"
    shutil.copytree(runs[name], copy)
    return copy


def edit_json(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


# --- what a results folder records ------------------------------------------------------------

def test_results_record_suite_hash_version_agent_and_split(runs: dict[str, Path]) -> None:
    from simagym.eval.suite import load_suite

    run = json.loads((runs["random"] / RUN_FILE).read_text(encoding="utf-8"))
    assert run["suite_hash"] == load_suite(str(runs["suite"])).content_hash
    assert run["simagym_version"] == simagym.__version__
    assert (run["agent"], run["agent_name"], run["agent_description"], run["agent_parameters"]) == \
        ("random", EVIL_NAME, EVIL_DESCRIPTION, 0)
    lines = [json.loads(x) for x in (runs["random"] / EPISODES_FILE).read_text(encoding="utf-8").splitlines()]
    assert {x["split"] for x in lines} == {"train", "heldout", "heldout-composition"}
    summary = json.loads((runs["random"] / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["suite"]["hash"] == run["suite_hash"] and "bootstrap" in summary["interval"]
    index = json.loads((runs["oracle"] / "videos" / "index.json").read_text(encoding="utf-8"))
    assert len(index["videos"]) == 3  # --record-videos 1: one per task
    assert all((runs["oracle"] / "videos" / v["file"]).read_bytes()[:6] == b"GIF89a" for v in index["videos"])


# --- the site ------------------------------------------------------------------------------------

def test_site_ranks_with_intervals_and_escapes_untrusted_text(runs: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(runs, site, runs["random"], runs["oracle"]) == 0
    data = json.loads((site / "leaderboard.json").read_text(encoding="utf-8"))
    first, second = data["results"]
    assert (first["name"], first["rank"], second["name"], second["rank"]) == ("oracle", 1, EVIL_NAME, 2)
    assert first["overall"]["success_rate"] == 1.0
    assert second["overall"]["ci_low"] <= second["overall"]["success_rate"] <= second["overall"]["ci_high"]
    assert set(first["by_split"]) == {"train", "heldout", "heldout-composition"}
    poi = next(c for c in data["comparisons"] if (c["a"], c["b"]) == (first["id"], second["id"]))
    assert poi["probability_of_improvement"] > 0.5
    pages = [site / "index.html", *sorted((site / "agents").glob("*.html"))]
    assert len(pages) == 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<img src=x" not in text and 'onerror="alert' not in text
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    md = (site / "leaderboard.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "not a \\| table" in md
    oracle_page = (site / "agents" / f"{first['id']}.html").read_text(encoding="utf-8")
    gifs = sorted((site / "agents" / first["id"]).glob("*.gif"))
    assert len(gifs) == 3 and oracle_page.count("<img ") == 3


def test_site_shows_the_suite_floor_and_which_agents_it_cannot_tell_apart(runs: dict[str, Path], tmp_path: Path) -> None:
    """With the suite's baselines beside it, every table shows chance and the random agent, and the
    random agent's floor is exactly what an evaluation of the random agent scores."""
    from simagym.eval import baselines

    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    suite = suite_dir / "mini.yaml"
    shutil.copyfile(runs["suite"], suite)
    assert baselines.main([str(suite), "--workers", "1"]) == 0
    site = tmp_path / "site"
    assert lb_main(["build", str(runs["random"]), str(runs["oracle"]), "--out", str(site), "--suite", str(suite)]) == 0
    data = json.loads((site / "leaderboard.json").read_text(encoding="utf-8"))
    random_row = next(r for r in data["results"] if r["name"] == EVIL_NAME)
    floor = data["baselines"]
    assert floor["overall"]["random"] == pytest.approx(random_row["overall"]["success_rate"])
    assert 0 < floor["overall"]["chance"] <= 1 and set(floor["by_world"]) == set(random_row["by_world"])
    assert all("distinguishable" in c for c in data["comparisons"])
    md = (site / "leaderboard.md").read_text(encoding="utf-8")
    assert "*chance level*" in md and "*random agent (floor)*" in md and "| distinguishable |" in md
    assert "random agent (floor)" in (site / "index.html").read_text(encoding="utf-8")


def test_refuses_incomplete_results(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tampered(runs, tmp_path)
    lines = (folder / EPISODES_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / EPISODES_FILE).write_text("".join(lines[:-1]), encoding="utf-8")
    assert build(runs, tmp_path / "site", folder) == 2
    err = capsys.readouterr().err
    assert "incomplete: 1 of" in err and "nothing written" in err
    assert not (tmp_path / "site").exists()


def test_refuses_another_suite_version_or_hash(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other_hash = tampered(runs, tmp_path)
    edit_json(other_hash / RUN_FILE, suite_hash="sha256:" + "1" * 64)
    assert build(runs, tmp_path / "a", other_hash) == 2
    assert "computed on another version of suite mini-v1: its content hash is sha256:111" in capsys.readouterr().err
    other_version = tmp_path / "v2"
    shutil.copytree(runs["oracle"], other_version)
    edit_json(other_version / RUN_FILE, suite_version=2)
    assert build(runs, tmp_path / "b", other_version) == 2
    assert "computed on suite mini-v2, not mini-v1" in capsys.readouterr().err


def test_refuses_a_summary_that_does_not_match_the_episodes(runs: dict[str, Path], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tampered(runs, tmp_path, "random")
    summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
    summary["successes"] += 1
    summary["success_rate"] = 0.99
    (folder / SUMMARY_FILE).write_text(json.dumps(summary), encoding="utf-8")
    assert build(runs, tmp_path / "site", folder) == 2
    assert "inconsistent: summary.json reports" in capsys.readouterr().err


def test_refuses_flipped_episodes_and_bad_videos(runs: dict[str, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tampered(runs, tmp_path, "random")
    lines = [json.loads(x) for x in (folder / EPISODES_FILE).read_text(encoding="utf-8").splitlines()]
    lines[0]["success"] = not lines[0]["success"]  # the summary no longer agrees
    lines.append(dict(lines[1]))  # a repeated episode
    (folder / EPISODES_FILE).write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    index = json.loads((folder / "videos" / "index.json").read_text(encoding="utf-8"))
    (folder / "videos" / index["videos"][0]["file"]).write_text("<html><script>alert(3)</script>", encoding="utf-8")
    index["videos"][1]["file"] = "../run.json"
    (folder / "videos" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert build(runs, tmp_path / "site", folder) == 2
    err = capsys.readouterr().err
    assert "repeats episode" in err and "inconsistent" in err
    assert "is not a GIF" in err and "'file' must be a plain .gif file name" in err


def test_skip_invalid_builds_from_the_others(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tampered(runs, tmp_path)
    (broken / SUMMARY_FILE).unlink()
    assert build(runs, tmp_path / "site", runs["random"], broken, extra=("--skip-invalid",)) == 0
    assert "summary.json is missing" in capsys.readouterr().err
    data = json.loads((tmp_path / "site" / "leaderboard.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in data["results"]] == [EVIL_NAME]


def test_build_refuses_a_folder_that_is_not_a_site(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert build(runs, out, runs["oracle"]) == 2
    assert "not a leaderboard site" in capsys.readouterr().err and (out / "keep.txt").exists()


# --- a real browser ------------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium chromium-driver)")
        pytest.skip("chromium is not installed here (apt-get install chromium); CI runs this test")
    return found


def test_index_in_headless_chromium(runs: dict[str, Path], tmp_path: Path) -> None:
    browser = chromium()
    site = tmp_path / "site"
    assert build(runs, site, runs["oracle"], runs["random"]) == 0
    url = (site / "index.html").resolve().as_uri()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
        return subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=60)

    dom = run("--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html_text = dom.stdout
    ranking = html_text.split('<table id="ranking">', 1)[1].split("</table>", 1)[0]
    rows = ranking.split("<tbody>", 1)[1].split("</tr>")[:-1]
    assert len(rows) == 2
    assert ">oracle</a>" in rows[0] and ">100.0%<" in rows[0] and "[100.0% – 100.0%]" in rows[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows[1]
    # The browser parsed no script and no injected image: the hostile text stayed text.
    # (a serialised DOM escapes < in text, so a real element would show as "<script" or "<img src=x").
    assert "<script" not in html_text and "<img src=x" not in html_text
    assert "&lt;img src=x onerror" in html_text
    screenshot = tmp_path / "leaderboard.png"
    shot = run(f"--screenshot={screenshot}", "--window-size=1200,1000")
    assert shot.returncode == 0 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000
