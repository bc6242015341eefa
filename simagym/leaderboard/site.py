"""The static leaderboard: ``index.html``, a page per agent with rollout GIFs,
``leaderboard.md`` and ``leaderboard.json``.

Every number is recomputed from the verified episodes (never copied from a
summary). Agent names, descriptions and instructions are untrusted text and
pass through :func:`html.escape` (or :func:`md_escape`) wherever they appear;
file names in the site are generated here, never taken from a results folder.
The pages have no JavaScript.

Ranking: by the mean success rate over the suite's (task, split) strata, with
a 95% stratified bootstrap interval (:mod:`simagym.eval.bootstrap`); the
interquartile mean is shown next to it. A result that did not play every
(task, split) of the suite (recorded human play, typically) is not ranked
overall; it appears in every category, world or split table whose tasks it
covers completely, in its own "partial results" table, and in the paired
comparisons on the episodes it shares with each agent.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping

from simagym.eval.bootstrap import AGGREGATE, INTERVAL, compare, iqm, stratified_rate
from simagym.eval.suite import Suite
from simagym.leaderboard.results import Result
from simagym.multi.evaluate import agent_rates_records

GROUP_KINDS = ("category", "world", "split")
SITE_MARKER = "leaderboard.json"


def e(text: Any) -> str:
    """HTML-escape untrusted text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md_escape(text: Any) -> str:
    """Escape untrusted text for a Markdown table cell (and for Markdown rendered as HTML)."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=True))


def _slug(index: int, name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "agent"
    return f"{index:02d}-{cleaned}"


def _rate(rate: Any) -> dict[str, Any]:
    return {"success_rate": rate.success_rate, "ci_low": rate.ci_low, "ci_high": rate.ci_high,
            "episodes": rate.episodes, "successes": rate.successes}


# --- the numbers ------------------------------------------------------------------------

def _suite_groups(suite: Suite) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """kind -> group name -> the (task, split) strata in it."""
    groups: dict[str, dict[str, set[tuple[str, str]]]] = {k: defaultdict(set) for k in GROUP_KINDS}
    for task in suite.tasks:
        spec = suite.spec(task)
        for split in suite.task_splits(task):
            stratum = (task, split.value)
            groups["category"][spec.category.value if spec else "?"].add(stratum)
            groups["world"][suite.world_of(task)].add(stratum)
            groups["split"][split.value].add(stratum)
    return {k: dict(sorted(v.items())) for k, v in groups.items()}


def compute(results: list[Result], suite: Suite) -> dict[str, Any]:
    """Everything the site shows, as JSON data (this is ``leaderboard.json``)."""
    from simagym import __version__

    groups = _suite_groups(suite)
    all_strata = {s for kind in groups["split"].values() for s in kind}
    entries = []
    for i, result in enumerate(results, 1):
        covered = result.strata
        by_stratum: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in result.episodes:
            by_stratum[(r["task"], r["split"])].append(r)
        entry: dict[str, Any] = {
            "id": _slug(i, result.name),
            "name": result.name,
            "description": result.description,
            "agent": result.agent,
            "parameters": result.parameters,
            "simagym_version": result.simagym_version,
            "created": result.created,
            "source": str(result.path),
            "verified": result.verified,  # None, or what a replay re-ran and matched (build --replay)
            "episodes": len(result.episodes),
            "coverage": {"strata": len(covered & all_strata), "of": len(all_strata)},
            "ranked": all_strata <= covered,
            "overall": _rate(stratified_rate(result.episodes)) if result.episodes else None,
            "iqm": _rate(iqm(result.episodes)) if result.episodes else None,
            **_team_columns(result.episodes),
            "by_task": {
                task: {split: _rate(stratified_rate(by_stratum[(task, split)])) for (t, split) in sorted(covered) if t == task}
                for task in sorted({t for t, _ in covered})
            },
        }
        for kind, named in groups.items():
            entry[f"by_{kind}"] = {
                name: (_rate(stratified_rate([r for s in strata for r in by_stratum[s]])) if strata <= covered else None)
                for name, strata in named.items()
            }
        entries.append(entry)
    ranked = sorted((x for x in entries if x["ranked"] and x["overall"]),
                    key=lambda x: (-x["overall"]["success_rate"], -x["iqm"]["success_rate"], x["name"], x["id"]))
    for rank, entry in enumerate(ranked, 1):
        entry["rank"] = rank
    comparisons = []
    for a, ra in zip(entries, results):
        for b, rb in zip(entries, results):
            if a is b:
                continue
            c = compare(ra.episodes, rb.episodes)
            if c is not None:
                # The difference's interval holds 0: these results cannot tell the two agents apart.
                comparisons.append({"a": a["id"], "b": b["id"], **c.as_dict(),
                                    "distinguishable": not c.diff_low <= 0.0 <= c.diff_high})
    return {
        "suite": {"name": suite.name, "version": suite.version, "label": suite.label, "hash": suite.content_hash,
                  "description": suite.description, "tasks": len(suite.tasks), "episodes": len(suite.episodes()),
                  "heldout_worlds": list(suite.heldout_worlds)},
        "groups": {kind: list(named) for kind, named in groups.items()},
        "aggregate": AGGREGATE,
        "interval": INTERVAL,
        "comparison": "probability of improvement P(A > B) on shared (task, seed, split) episodes: the chance A "
                      "succeeds where B fails, ties counted as one half, averaged over (task, split) strata, "
                      "with a paired stratified bootstrap interval; marked not distinguishable (≈) when the "
                      "interval of the difference in success rate holds 0",
        "simagym_version": __version__,
        "ranking": [x["id"] for x in ranked],
        "results": sorted(entries, key=lambda x: (x.get("rank", 10**9), x["name"], x["id"])),
        "comparisons": comparisons,
        "baselines": _floor(suite),
    }


def _floor(suite: Suite) -> dict[str, Any] | None:
    """The suite's shipped chance level and random-agent success (:mod:`simagym.eval.baselines`)."""
    from simagym.eval import baselines

    data = baselines.load(suite)
    if data is None:
        return None
    return {"overall": data["overall"], **{f"by_{k}": data[f"by_{k}"] for k in GROUP_KINDS}}


# --- HTML ---------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{margin-bottom:4px} h2{margin-top:32px;border-bottom:1px solid #dde;padding-bottom:4px}
.meta{color:#556;font-size:14px} code{background:#f1f2f6;padding:1px 4px;border-radius:3px;word-break:break-all}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border-bottom:1px solid #e4e6ee;padding:6px 10px;text-align:left;vertical-align:middle}
th{background:#f6f7fb} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{color:#667;font-size:12px} .na{color:#aab} .best{font-weight:700}
.bar{position:relative;width:160px;height:10px;background:#eef0f6;border-radius:5px}
.bar .iv{position:absolute;top:2px;height:6px;background:#8fb3ff;border-radius:3px}
.bar .pt{position:absolute;top:0;width:2px;height:10px;background:#1f4fd1}
.desc{color:#445;max-width:360px;overflow-wrap:anywhere} .name{overflow-wrap:anywhere}
.gallery{display:flex;flex-wrap:wrap;gap:14px} figure{margin:0;width:256px}
figure img{width:256px;image-rendering:pixelated;border:1px solid #dde}
figcaption{font-size:12px;color:#445;overflow-wrap:anywhere} .ok{color:#1a7f37} .fail{color:#c62828}
"""


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _cell(rate: Mapping[str, Any] | None, best: bool = False, bar: bool = False) -> str:
    if rate is None:
        return '<td class="num na" title="not every task of this group was played">–</td>'
    ci = f'<span class="ci">[{_pct(rate["ci_low"])} – {_pct(rate["ci_high"])}]</span>'
    text = f'<span class="{"best" if best else ""}">{_pct(rate["success_rate"])}</span> {ci}'
    if bar:
        lo, hi, pt = (100 * rate[k] for k in ("ci_low", "ci_high", "success_rate"))
        text += (f'<div class="bar"><span class="iv" style="left:{lo:.2f}%;width:{max(hi - lo, 0.5):.2f}%"></span>'
                 f'<span class="pt" style="left:calc({pt:.2f}% - 1px)"></span></div>')
    return f'<td class="num">{text}</td>'


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{e(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n')


def _verified(r: Mapping[str, Any]) -> str:
    v = r.get("verified")
    return f"✓ {v['replayed']} replayed" if v else "-"


def _params(n: int | None) -> str:
    if n is None:
        return "–"
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e3 else str(n)


def _suite_line(data: Mapping[str, Any]) -> str:
    s = data["suite"]
    held = f'; held-out world: {", ".join(e(w) for w in s["heldout_worlds"])}' if s["heldout_worlds"] else ""
    return (f'<p class="meta">Suite <b>{e(s["label"])}</b> ({s["tasks"]} tasks, {s["episodes"]} episodes{held}), '
            f'content hash <code>{e(s["hash"])}</code>.<br>Score: {e(data["aggregate"])}; '
            f'intervals: {e(data["interval"])}. {_floor_text(data)}Built with simagym {e(data["simagym_version"])}.</p>')


def _floor_text(data: Mapping[str, Any]) -> str:
    floor = data.get("baselines")
    if not floor:
        return "No chance/random baselines ship with this suite. "
    o = floor["overall"]
    return (f"The floor: chance level {_pct(o['chance'])}, the random agent {_pct(o['random'])} "
            f"(per group in the tables below). ")


def _group_table(data: Mapping[str, Any], kind: str, rows: list[Mapping[str, Any]]) -> str:
    names = data["groups"][kind]
    best = {n: max((r[f"by_{kind}"][n]["success_rate"] for r in rows if r[f"by_{kind}"][n]), default=None) for n in names}
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    body = []
    for r in rows:
        cells = "".join(_cell(r[f"by_{kind}"][n], r[f"by_{kind}"][n] is not None
                              and r[f"by_{kind}"][n]["success_rate"] == best[n]) for n in names)
        body.append(f'<tr><td class="name"><a href="agents/{r["id"]}.html">{e(r["name"])}</a></td>{cells}</tr>')
    floor = (data.get("baselines") or {}).get(f"by_{kind}")
    if floor:  # the suite's floor in each group, read against the agents above it
        for what, label in (("chance", "chance level"), ("random", "random agent (floor)")):
            cells = "".join(f'<td class="num na">{_pct(floor[n][what]) if n in floor else "–"}</td>' for n in names)
            body.append(f'<tr class="floor"><td class="name"><i>{label}</i></td>{cells}</tr>')
    return f'<table class="by-{e(kind)}"><thead><tr><th>agent</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _team_columns(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    """For team suites: who played beside the agent, and its success per seat it played (``success`` is the
    team's). Empty for single-player results."""
    players = agent_rates_records(episodes)
    if not players:
        return {}
    teammates = sorted({str(r.get("teammates", "self")) for r in episodes if "seat_success" in r})
    return {"teammates": ", ".join(teammates), "per_player": _rate(stratified_rate(players))}


def _is_team(data: Mapping[str, Any]) -> bool:
    return any("per_player" in r for r in data["results"])


def render_index(data: Mapping[str, Any]) -> str:
    results = data["results"]
    ranked = [r for r in results if "rank" in r]
    partial = [r for r in results if "rank" not in r]
    team = _is_team(data)
    rows = []
    for r in ranked:
        extra = (f'<td class="desc">{e(r.get("teammates", "–"))}</td>{_cell(r.get("per_player"))}' if team else "")
        rows.append(
            f'<tr><td class="num">{r["rank"]}</td><td class="name"><a href="agents/{r["id"]}.html">{e(r["name"])}</a></td>'
            f'<td class="desc">{e(r["description"])}</td><td class="num">{_params(r["parameters"])}</td>'
            f'{_cell(r["overall"], r["rank"] == 1, bar=True)}{_cell(r["iqm"])}{extra}<td class="num">{r["episodes"]}</td>'
            f'<td class="verified">{e(_verified(r))}</td></tr>'
        )
    team_head = "<th>teammates</th><th>per player [95% CI]</th>" if team else ""
    columns = 10 if team else 8
    body = [
        "<h1>simagym leaderboard</h1>",
        _suite_line(data),
        "<h2>Overall ranking</h2>",
        '<table id="ranking"><thead><tr><th>#</th><th>agent</th><th>description</th><th>parameters</th>'
        f"<th>success rate [95% CI]</th><th>IQM [95% CI]</th>{team_head}<th>episodes</th><th>verified</th></tr></thead>",
        f'<tbody>{"".join(rows) or f"<tr><td colspan={columns}>no complete results</td></tr>"}'
        f'{_floor_rows(data, 2 if team else 0)}</tbody></table>',
        '<p class="meta">verified: episodes re-run with the agent the results name (python -m simagym.leaderboard'
        " build --replay K) gave the same success, steps and return; - : not replayed.</p>",
    ]
    if team:
        body.append('<p class="meta">A team suite: the success rate is the team\'s. Teammates: who played the seats '
                    "beside the agent (self: the agent in every seat; oracle; random). Per player: the agent's own "
                    "part done, over every seat it played.</p>")
    shown = ranked + partial
    for kind, title in (("category", "By category"), ("world", "By world"), ("split", "By split")):
        body += [f"<h2>{title}</h2>", _group_table(data, kind, shown)]
    if partial:
        prow = "".join(
            f'<tr><td class="name"><a href="agents/{r["id"]}.html">{e(r["name"])}</a></td><td class="desc">{e(r["description"])}</td>'
            f'<td class="num">{r["coverage"]["strata"]} of {r["coverage"]["of"]}</td>{_cell(r["overall"])}'
            f'<td class="num">{r["episodes"]}</td></tr>'
            for r in partial
        )
        body += [
            "<h2>Partial results (not ranked overall)</h2>",
            '<p class="meta">These played only some (task, split) pairs of the suite; their rate is over what they '
            "played, and they appear above only in groups they covered completely.</p>",
            '<table id="partial"><thead><tr><th>agent</th><th>description</th><th>task/split pairs</th>'
            f"<th>success rate [95% CI]</th><th>episodes</th></tr></thead><tbody>{prow}</tbody></table>",
        ]
    if data["comparisons"] and len(shown) > 1:
        body += ["<h2>Paired comparisons</h2>", f'<p class="meta">Row vs column: {e(data["comparison"])}.</p>',
                 _comparison_table(data, shown)]
    return _page(f"simagym leaderboard - {data['suite']['label']}", "\n".join(body))


def _floor_rows(data: Mapping[str, Any], extra_columns: int = 0) -> str:
    floor = data.get("baselines")
    if not floor:
        return ""
    o = floor["overall"]
    tail = "<td></td>" * (3 + extra_columns)
    return "".join(f'<tr class="floor"><td></td><td class="name"><i>{label}</i></td><td class="desc">{desc}</td>'
                   f'<td></td><td class="num">{_pct(o[k])}</td>{tail}</tr>'
                   for k, label, desc in (("chance", "chance level", "1 / the plausible goals of each layout"),
                                          ("random", "random agent", "uniformly random macros: the floor")))


def _comparison_table(data: Mapping[str, Any], rows: list[Mapping[str, Any]]) -> str:
    found = {(c["a"], c["b"]): c for c in data["comparisons"]}
    head = "".join(f'<th class="name">{e(r["name"])}</th>' for r in rows)
    body = []
    for a in rows:
        cells = []
        for b in rows:
            c = found.get((a["id"], b["id"]))
            if a is b or c is None:
                cells.append('<td class="num na">–</td>')
            else:
                same = "" if c.get("distinguishable", True) else " ≈"
                cells.append(f'<td class="num" title="{c["shared_episodes"]} shared episodes">'
                             f'{c["probability_of_improvement"]:.2f}{same} <span class="ci">[{c["poi_low"]:.2f} – '
                             f'{c["poi_high"]:.2f}]</span></td>')
        body.append(f'<tr><td class="name">{e(a["name"])}</td>{"".join(cells)}</tr>')
    return f'<table id="comparisons"><thead><tr><th>P(row &gt; column)</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def render_agent(data: Mapping[str, Any], r: Mapping[str, Any], videos: list[dict[str, Any]]) -> str:
    splits = data["groups"]["split"]
    cov = r["coverage"]
    meta = [
        ("agent", e(r["agent"])), ("description", e(r["description"])), ("parameters", _params(r["parameters"])),
        ("rank", str(r.get("rank", "not ranked (partial)"))),
        ("success rate", f'{_pct(r["overall"]["success_rate"])} [{_pct(r["overall"]["ci_low"])} – '
                         f'{_pct(r["overall"]["ci_high"])}]' if r["overall"] else "–"),
        ("IQM", f'{_pct(r["iqm"]["success_rate"])} [{_pct(r["iqm"]["ci_low"])} – {_pct(r["iqm"]["ci_high"])}]'
                if r["iqm"] else "–"),
        *((("teammates", e(r["teammates"])), ("per player", f'{_pct(r["per_player"]["success_rate"])} '
           f'[{_pct(r["per_player"]["ci_low"])} – {_pct(r["per_player"]["ci_high"])}]')) if "per_player" in r else ()),
        ("episodes", f'{r["episodes"]} ({cov["strata"]} of {cov["of"]} task/split pairs)'),
        ("simagym", e(r["simagym_version"])), ("created", e(r["created"])),
    ]
    body = [
        '<p><a href="../index.html">&larr; leaderboard</a></p>',
        f'<h1 class="name">{e(r["name"])}</h1>',
        _suite_line(data),
        "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in meta) + "</table>",
    ]
    for kind in GROUP_KINDS:
        named = r[f"by_{kind}"]
        body.append(f"<h2>By {kind}</h2><table><tr>" + "".join(f"<th>{e(n)}</th>" for n in named) + "</tr><tr>"
                    + "".join(_cell(v) for v in named.values()) + "</tr></table>")
    head = "".join(f"<th>{e(s)}</th>" for s in splits)
    rows = []
    for task, by_split in r["by_task"].items():
        cells = "".join(
            (f'<td class="num">{_pct(by_split[s]["success_rate"])} <span class="ci">[{_pct(by_split[s]["ci_low"])} – '
             f'{_pct(by_split[s]["ci_high"])}] n={by_split[s]["episodes"]}</span></td>') if s in by_split
            else '<td class="num na">–</td>'
            for s in splits
        )
        rows.append(f"<tr><td>{e(task)}</td>{cells}</tr>")
    body.append(f'<h2>Per task</h2><table id="tasks"><thead><tr><th>task</th>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')
    if videos:
        figures = "".join(
            f'<figure><img src="{e(v["src"])}" alt="rollout: {e(v["instruction"])}" width="256">'
            f'<figcaption>{e(v["task"])} · seed {v["seed"]} · {e(v["split"])} · '
            f'<span class="{"ok" if v["success"] else "fail"}">{"success" if v["success"] else "failure"}</span> '
            f'in {v["steps"]} steps<br>&ldquo;{e(v["instruction"])}&rdquo;</figcaption></figure>'
            for v in videos
        )
        body.append(f'<h2>Rollouts</h2><div class="gallery">{figures}</div>')
    else:
        body.append('<h2>Rollouts</h2><p class="meta">No rollouts recorded (evaluate with --record-videos N).</p>')
    return _page(f"{r['name']} - simagym leaderboard", "\n".join(body))


# --- Markdown -----------------------------------------------------------------------------

def _md_rate(rate: Mapping[str, Any] | None) -> str:
    if rate is None:
        return "–"
    return f'{_pct(rate["success_rate"])} [{_pct(rate["ci_low"])}, {_pct(rate["ci_high"])}]'


def render_markdown(data: Mapping[str, Any]) -> str:
    s = data["suite"]
    lines = [
        f"# simagym leaderboard: {md_escape(s['label'])}", "",
        f"Suite content hash `{s['hash']}`, {s['tasks']} tasks, {s['episodes']} episodes. "
        f"Score: {md_escape(data['aggregate'])}; intervals: {md_escape(data['interval'])}.", "",
        "## Overall ranking", "",
    ]
    team = _is_team(data)
    lines += ["| # | agent | description | parameters | success rate [95% CI] | IQM [95% CI] | "
              + ("teammates | per player [95% CI] | " if team else "") + "episodes | verified |",
              "|---|---|---|---|---|---|" + ("---|---|" if team else "") + "---|---|"]
    results = data["results"]
    for r in results:
        if "rank" in r:
            extra = f'{md_escape(r.get("teammates", "–"))} | {_md_rate(r.get("per_player"))} | ' if team else ""
            lines.append(f'| {r["rank"]} | {md_escape(r["name"])} | {md_escape(r["description"])} | '
                         f'{_params(r["parameters"])} | {_md_rate(r["overall"])} | {_md_rate(r["iqm"])} | {extra}'
                         f'{r["episodes"]} | {_verified(r)} |')
    if data.get("baselines"):
        o = data["baselines"]["overall"]
        blanks = "  |" * (4 if team else 2)
        lines += [f"|  | *chance level* | 1 / the plausible goals of each layout |  | {_pct(o['chance'])} |{blanks}  |",
                  f"|  | *random agent* | uniformly random macros: the floor |  | {_pct(o['random'])} |{blanks}  |"]
    for kind in GROUP_KINDS:
        names = data["groups"][kind]
        lines += ["", f"## By {kind}", "", "| agent | " + " | ".join(md_escape(n) for n in names) + " |",
                  "|---|" + "---|" * len(names)]
        for r in results:
            lines.append(f'| {md_escape(r["name"])} | ' + " | ".join(_md_rate(r[f"by_{kind}"][n]) for n in names) + " |")
        floor = (data.get("baselines") or {}).get(f"by_{kind}")
        for what, label in (("chance", "*chance level*"), ("random", "*random agent (floor)*")) if floor else ():
            lines.append(f"| {label} | " + " | ".join(_pct(floor[n][what]) if n in floor else "–" for n in names) + " |")
    ranked = [r for r in results if "rank" in r]
    found = {(c["a"], c["b"]): c for c in data["comparisons"]}
    pairs = [(a, b, found[(a["id"], b["id"])]) for i, a in enumerate(ranked) for b in ranked[i + 1:]
             if (a["id"], b["id"]) in found]
    if pairs:
        lines += ["", "## Paired comparisons", "", md_escape(data["comparison"]), "",
                  "| agent A | agent B | P(A > B) [95% CI] | A - B [95% CI] | distinguishable |", "|---|---|---|---|---|"]
        for a, b, c in pairs:
            lines.append(f'| {md_escape(a["name"])} | {md_escape(b["name"])} | {c["probability_of_improvement"]:.2f} '
                         f'[{c["poi_low"]:.2f}, {c["poi_high"]:.2f}] | {100 * c["difference"]:+.1f} '
                         f'[{100 * c["diff_low"]:+.1f}, {100 * c["diff_high"]:+.1f}] | '
                         f'{"yes" if c["distinguishable"] else "no: these episodes cannot tell them apart"} |')
    partial = [r for r in results if "rank" not in r]
    if partial:
        lines += ["", "## Partial results (not ranked overall)", "",
                  "| agent | task/split pairs | success rate [95% CI] | episodes |", "|---|---|---|---|"]
        for r in partial:
            lines.append(f'| {md_escape(r["name"])} | {r["coverage"]["strata"]} of {r["coverage"]["of"]} | '
                         f'{_md_rate(r["overall"])} | {r["episodes"]} |')
    return "\n".join(lines) + "\n"


# --- writing the site ---------------------------------------------------------------------

class SiteError(ValueError):
    pass


#: The files a build writes under ``agents/`` (ids come from :func:`_slug`); ``leaderboard.json`` lists them
#: under ``files`` so the next build into the same folder removes exactly those and nothing else.
_OWN_FILE = re.compile(r"^agents/[0-9]{2,}-[a-z0-9-]{1,40}(\.html|/[0-9]+\.gif)$")


def _previous_files(out: Path) -> list[str]:
    """What the build that wrote ``out`` listed as its own files (only names a build could write)."""
    try:
        data = json.loads((out / SITE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = data.get("files") if isinstance(data, dict) else None
    return [f for f in files if isinstance(f, str) and _OWN_FILE.match(f)] if isinstance(files, list) else []


def _prepare(out: Path) -> list[str]:
    """Check ``out`` is new, empty, or a site an earlier build wrote; return that build's own files."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SiteError(f"--out {out} is not a folder")
    if (out / "agents").is_symlink():
        raise SiteError(f"--out {out}/agents is a symbolic link; choose another --out")
    if not out.exists():
        return []
    if any(out.iterdir()) and not (out / SITE_MARKER).is_file():
        raise SiteError(f"--out {out} is not empty and not a leaderboard site; choose an empty or new folder")
    return _previous_files(out)


def _remove(out: Path, names: list[str]) -> None:
    """Remove the earlier build's own files (regular files only) and the agent folders they leave empty."""
    for name in names:
        path = out / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
        folder = path.parent
        if folder != out / "agents" and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()


def _check_free(out: Path, names: list[str], ours: list[str]) -> None:
    """Refuse to write over anything an earlier build did not write (checked before anything changes)."""
    taken = [name for name in names if name not in ours and ((out / name).exists() or (out / name).is_symlink())]
    if taken:
        raise SiteError(f"--out {out} already holds {taken[0]}, which no earlier build wrote; move it away or"
                        " choose another --out (nothing there is deleted)")


def write_site(results: list[Result], suite: Suite, out: str | Path, *,
               max_videos_per_agent: int | None = None) -> dict[str, Any]:
    """Write the site into ``out``; return the leaderboard data (also ``leaderboard.json``).

    Rebuilding into the same folder replaces the files the last build wrote (``files`` in its
    ``leaderboard.json``) and never deletes or overwrites anything else.
    """
    if max_videos_per_agent is not None and max_videos_per_agent < 0:
        raise SiteError(f"max_videos_per_agent must be >= 0, got {max_videos_per_agent}")
    out = Path(out)
    previous = _prepare(out)
    data = compute(results, suite)
    by_id = {entry["id"]: result for entry, result in zip(_in_input_order(data), results)}
    chosen = {entry["id"]: by_id[entry["id"]].videos[:max_videos_per_agent] for entry in data["results"]}
    files = [name for entry in data["results"] for name in (
        [f"agents/{entry['id']}/{n}.gif" for n in range(1, len(chosen[entry["id"]]) + 1)]
        + [f"agents/{entry['id']}.html"])]
    _check_free(out, files, previous)
    _remove(out, previous)
    (out / "agents").mkdir(parents=True, exist_ok=True)
    data["files"] = files
    for entry in data["results"]:
        folder = out / "agents" / entry["id"]
        videos = []
        for n, video in enumerate(chosen[entry["id"]], 1):
            folder.mkdir(exist_ok=True)
            shutil.copyfile(video.source, folder / f"{n}.gif")  # bytes only; the name is ours
            videos.append({"src": f"{entry['id']}/{n}.gif", "task": video.task, "seed": video.seed,
                           "split": video.split, "instruction": video.instruction, "success": video.success,
                           "steps": video.steps})
        entry["videos"] = [{**v, "src": f"agents/{v['src']}"} for v in videos]
        (out / "agents" / f"{entry['id']}.html").write_text(render_agent(data, entry, videos), encoding="utf-8")
    (out / "index.html").write_text(render_index(data), encoding="utf-8")
    (out / "leaderboard.md").write_text(render_markdown(data), encoding="utf-8")
    (out / SITE_MARKER).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


def _in_input_order(data: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Entries in the order of the results they came from (ids start with that position)."""
    return sorted(data["results"], key=lambda x: int(x["id"].split("-", 1)[0]))
