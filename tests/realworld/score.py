#!/usr/bin/env python3
"""Score a scalelint binary against hand-labelled places in real public applications.

The labels live in manifest.jsonl next to this file: one JSON object per line with
repo (owner/name), commit (40 hex), path, line, rule, expect ("finding" | "silent"),
ecosystem and note. For every repository the tree at the labelled commit is taken out
of a local git mirror, the whole tree is scanned once (so cross-file resolution works
as it does for a user), and each label is matched against the findings:

* a positive ("finding") is found when a finding of the same rule (with --by-category:
  of the same category, i.e. the first two digits of the ID) is at that path within
  +-WINDOW lines;
* a negative ("silent") is a false positive when a finding of the labelled rule sits at
  that path within +-WINDOW lines; findings of any other rule there are counted apart;
* a finding with no label of any rule at its path within +-WINDOW lines is "unlabelled",
  listed per repository so that it can be labelled later.

Standard library only. Exit code: 0 when scored (and any --min-recall / --max-fp-rate
gate holds), 1 when a gate fails, 2 on a usage, manifest, mirror or binary error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MANIFEST = HERE / "manifest.jsonl"
DEFAULT_MIRRORS = Path("/work/.mirror")
DEFAULT_BIN = Path("target/release/scalelint")
REQUIRED = ("repo", "commit", "path", "line", "rule", "expect", "ecosystem", "note")
RULE_RE = re.compile(r"^SL[1-9][0-9]{2}$")
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ScoreError(Exception):
    """A problem that stops the run (bad manifest, missing mirror, broken binary)."""


@dataclass
class Label:
    """One labelled place, as read from the manifest."""

    repo: str
    commit: str
    path: str
    line: int
    rule: str
    expect: str
    ecosystem: str
    note: str
    lineno: int  # line of the manifest, for messages

    def describe(self) -> str:
        return f"{self.repo}@{self.commit[:10]} {self.path}:{self.line} {self.rule} ({self.note})"

    def as_json(self) -> dict:
        return {
            "repo": self.repo,
            "commit": self.commit,
            "path": self.path,
            "line": self.line,
            "rule": self.rule,
            "expect": self.expect,
            "ecosystem": self.ecosystem,
            "note": self.note,
        }


@dataclass
class Finding:
    """The part of a scalelint JSON finding the scorer needs."""

    rule: str
    path: str
    line: int
    message: str = ""

    def __post_init__(self) -> None:
        self.path = norm_path(self.path)

    def as_json(self) -> dict:
        return {"rule": self.rule, "path": self.path, "line": self.line, "message": self.message}


@dataclass
class RepoRun:
    """What one scan of one repository produced."""

    repo: str
    commit: str
    findings: list = field(default_factory=list)
    skipped: int = 0
    partially_parsed: int = 0
    seconds: float = 0.0
    error: str = ""
    absent: list = field(default_factory=list)


def category(rule: str) -> str:
    """The category key of a rule ID: its first two digits (SL401 and SL402 share "40")."""
    return rule[2:4]


def norm_path(path: str) -> str:
    """Paths compare as /-separated, without a leading ./"""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def load_manifest(path: Path) -> list:
    """Read and validate the manifest; every problem is reported, not just the first."""
    labels, problems = [], []
    seen = set()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScoreError(f"cannot read manifest {path}: {err}") from err
    for lineno, raw in enumerate(text.splitlines(), start=1):
        raw = raw.strip()
        if not raw or raw.startswith("//"):
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(f"{path}:{lineno}: not JSON: {err}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}:{lineno}: not a JSON object")
            continue
        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            problems.append(f"{path}:{lineno}: missing {', '.join(missing)}")
            continue
        bad = []
        if not isinstance(obj["repo"], str) or not REPO_RE.match(obj["repo"]):
            bad.append("repo must be owner/name")
        if not isinstance(obj["commit"], str) or not COMMIT_RE.match(obj["commit"]):
            bad.append("commit must be 40 lower-case hex digits")
        if not isinstance(obj["path"], str) or not obj["path"] or obj["path"].startswith("/"):
            bad.append("path must be relative")
        if not isinstance(obj["line"], int) or isinstance(obj["line"], bool) or obj["line"] < 1:
            bad.append("line must be a positive integer")
        if not isinstance(obj["rule"], str) or not RULE_RE.match(obj["rule"]):
            bad.append("rule must look like SL101")
        if obj["expect"] not in ("finding", "silent"):
            bad.append('expect must be "finding" or "silent"')
        for key in ("ecosystem", "note"):
            if not isinstance(obj[key], str) or not obj[key].strip():
                bad.append(f"{key} must be a non-empty string")
        if bad:
            problems.append(f"{path}:{lineno}: {'; '.join(bad)}")
            continue
        key = (obj["repo"], obj["path"], obj["line"], obj["rule"])
        if key in seen:
            problems.append(f"{path}:{lineno}: duplicate label {key}")
            continue
        seen.add(key)
        labels.append(
            Label(
                repo=obj["repo"],
                commit=obj["commit"],
                path=norm_path(obj["path"]),
                line=obj["line"],
                rule=obj["rule"],
                expect=obj["expect"],
                ecosystem=obj["ecosystem"],
                note=obj["note"],
                lineno=lineno,
            )
        )
    commits = defaultdict(set)
    for lab in labels:
        commits[lab.repo].add(lab.commit)
    for repo, shas in commits.items():
        if len(shas) > 1:
            problems.append(f"{path}: {repo} is pinned to more than one commit: {sorted(shas)}")
    if problems:
        raise ScoreError("manifest problems:\n  " + "\n  ".join(problems))
    if not labels:
        raise ScoreError(f"manifest {path} has no labels")
    return labels


def find_git_dir(mirrors: Path, repo: str) -> Path:
    """Locate the git directory of a repository under the mirror root.

    Accepted layouts: MIRRORS/owner+name/repo (what the fetch tool writes),
    MIRRORS/owner+name, MIRRORS/owner/name and MIRRORS/owner/name.git.
    """
    owner, name = repo.split("/", 1)
    candidates = [
        mirrors / f"{owner}+{name}" / "repo",
        mirrors / f"{owner}+{name}",
        mirrors / owner / name,
        mirrors / owner / f"{name}.git",
    ]
    for cand in candidates:
        if (cand / "HEAD").is_file() or (cand / ".git").exists():
            return cand / ".git" if (cand / ".git").is_dir() else cand
    raise ScoreError(
        f"no mirror of {repo} under {mirrors} (looked for {', '.join(str(c) for c in candidates)})"
    )


def git(git_dir: Path, *args: str, binary: bool = False):
    """Run git against a bare or non-bare git directory."""
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        check=False,
    )
    if proc.returncode != 0:
        raise ScoreError(
            f"git {' '.join(args)} in {git_dir} failed: {proc.stderr.decode(errors='replace').strip()}"
        )
    return proc.stdout if binary else proc.stdout.decode("utf-8", errors="replace")


def check_labels_exist(git_dir: Path, commit: str, labels: list) -> list:
    """Every labelled path must exist at the commit and have at least `line` lines."""
    problems = []
    try:
        git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}")
    except ScoreError:
        return [f"{labels[0].repo}: commit {commit} is not in the mirror {git_dir}"]
    for lab in labels:
        try:
            blob = git(git_dir, "show", f"{commit}:{lab.path}", binary=True)
        except ScoreError:
            problems.append(f"manifest line {lab.lineno}: {lab.path} does not exist at {commit[:10]}")
            continue
        count = blob.count(b"\n") + (0 if blob.endswith(b"\n") or not blob else 1)
        if lab.line > count:
            problems.append(
                f"manifest line {lab.lineno}: {lab.path} has {count} lines, label says line {lab.line}"
            )
    return problems


def materialise(git_dir: Path, commit: str, dest: Path) -> list:
    """Write the tree at `commit` into `dest`; returns the paths whose blobs are absent.

    Mirrors may lack large blobs (snapshots leave out big files and LFS content), which
    makes `git archive` fail outright, so the tree is listed with ls-tree and every blob
    is read through one `cat-file --batch`; an absent blob is skipped and reported.
    """
    listing = git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit, binary=True)
    entries = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, sha = meta.split(b" ")
        if kind != b"blob":
            continue  # submodules have no content here
        rel = name.decode("utf-8", errors="surrogateescape")
        if rel.startswith("/") or ".." in Path(rel).parts:
            continue
        entries.append((mode, sha, rel))
    absent = []
    proc = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        for mode, sha, rel in entries:
            proc.stdin.write(sha + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3:  # "<sha> missing"
                absent.append(rel)
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after each object
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == b"120000":
                link = data.decode("utf-8", errors="surrogateescape")
                if not link.startswith("/") and ".." not in Path(link).parts:
                    target.symlink_to(link)
                continue
            target.write_bytes(data)
            if mode == b"100755":
                target.chmod(0o755)
    finally:
        proc.stdin.close()
        proc.wait()
    return absent


def run_scanner(binary: Path, tree: Path, extra: list, timeout: float) -> tuple:
    """Scan the whole tree; returns (findings, skipped, partially_parsed)."""
    cmd = [str(binary), "check", "--format", "json", "--exit-zero", *extra, "."]
    try:
        proc = subprocess.run(
            cmd,
            cwd=tree,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise ScoreError(f"{' '.join(cmd)} took longer than {timeout}s") from err
    except OSError as err:
        raise ScoreError(f"cannot run {binary}: {err}") from err
    if proc.returncode != 0:
        raise ScoreError(
            f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace').strip()[:2000]}"
        )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as err:
        raise ScoreError(f"{binary} did not print JSON: {err}") from err
    findings = []
    for item in report.get("findings", []):
        try:
            findings.append(
                Finding(
                    rule=str(item["rule"]),
                    path=str(item["path"]),
                    line=int(item["line"]),
                    message=str(item.get("message", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ScoreError(f"malformed finding {item!r}: {err}") from err
    return findings, count_of(report.get("skipped")), count_of(report.get("partially_parsed"))


def count_of(value) -> int:
    """`skipped` / `partially_parsed` may be a list or a number, depending on the version."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, int):
        return value
    return 0


def near(a: int, b: int, window: int) -> bool:
    return abs(a - b) <= window


def index_findings(findings: list) -> dict:
    by_path = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    return by_path


def match_label(lab: Label, by_path: dict, window: int, by_category: bool) -> dict:
    """Decide one label against the findings of its repository."""
    here = [f for f in by_path.get(lab.path, []) if near(f.line, lab.line, window)]
    if by_category:
        same = [f for f in here if category(f.rule) == category(lab.rule)]
    else:
        same = [f for f in here if f.rule == lab.rule]
    other = [f for f in here if f not in same]
    if lab.expect == "finding":
        outcome = "found" if same else "missed"
    else:
        outcome = "false_positive" if same else "silent"
    return {
        "label": lab.as_json(),
        "outcome": outcome,
        "matching": [f.as_json() for f in same],
        "other_rules_here": [f.as_json() for f in other],
    }


def unlabelled(findings: list, labels: list, window: int) -> list:
    """Findings that no label of any rule covers (same path, within the window)."""
    covered = defaultdict(list)
    for lab in labels:
        covered[lab.path].append(lab.line)
    out = []
    for f in findings:
        if not any(near(f.line, line, window) for line in covered.get(f.path, [])):
            out.append(f)
    return out


def ratio(num: int, den: int):
    return None if den == 0 else num / den


def fmt_ratio(value) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


def summarise(results: list) -> OrderedDict:
    """Per-ecosystem and overall counts from the per-label results."""
    groups = OrderedDict()
    for res in sorted(results, key=lambda r: r["label"]["ecosystem"]):
        eco = res["label"]["ecosystem"]
        for key in (eco, "all"):
            g = groups.setdefault(
                key,
                {
                    "positives": 0,
                    "found": 0,
                    "negatives": 0,
                    "false_positives": 0,
                    "negatives_with_other_rule_here": 0,
                },
            )
            if res["label"]["expect"] == "finding":
                g["positives"] += 1
                g["found"] += res["outcome"] == "found"
            else:
                g["negatives"] += 1
                g["false_positives"] += res["outcome"] == "false_positive"
                g["negatives_with_other_rule_here"] += bool(
                    res["outcome"] == "false_positive" or res["other_rules_here"]
                )
    if "all" in groups:
        groups.move_to_end("all")
    for g in groups.values():
        g["recall"] = ratio(g["found"], g["positives"])
        g["fp_rate"] = ratio(g["false_positives"], g["negatives"])
        g["any_rule_fp_rate"] = ratio(g["negatives_with_other_rule_here"], g["negatives"])
    return groups


def print_report(summary: OrderedDict, results: list, runs: list, unl: dict, out) -> None:
    w = out.write
    w("scalelint real-code evaluation\n\n")
    w(f"{'ecosystem':<10} {'pos':>4} {'found':>5} {'recall':>6}   {'neg':>4} {'FP':>3} {'FP rate':>7}   {'any-rule FP':>11}\n")
    for eco, g in summary.items():
        w(
            f"{eco:<10} {g['positives']:>4} {g['found']:>5} {fmt_ratio(g['recall']):>6}   "
            f"{g['negatives']:>4} {g['false_positives']:>3} {fmt_ratio(g['fp_rate']):>7}   "
            f"{g['negatives_with_other_rule_here']:>4} {fmt_ratio(g['any_rule_fp_rate']):>6}\n"
        )
    misses = [r for r in results if r["outcome"] == "missed"]
    fps = [r for r in results if r["outcome"] == "false_positive"]
    others = [r for r in results if r["outcome"] == "silent" and r["other_rules_here"]]
    w(f"\nmisses ({len(misses)})\n")
    for r in misses:
        lab = r["label"]
        near_other = ", ".join(f"{f['rule']}@{f['line']}" for f in r["other_rules_here"])
        w(f"  [{lab['ecosystem']}] {lab['repo']} {lab['path']}:{lab['line']} {lab['rule']}: {lab['note']}")
        w(f"  (nearby: {near_other})\n" if near_other else "\n")
    w(f"\nfalse positives ({len(fps)})\n")
    for r in fps:
        lab = r["label"]
        got = ", ".join(f"{f['rule']}@{f['line']}" for f in r["matching"])
        w(f"  [{lab['ecosystem']}] {lab['repo']} {lab['path']}:{lab['line']} {lab['rule']}: {lab['note']} (got {got})\n")
    w(f"\nnegatives with another rule's finding nearby ({len(others)})\n")
    for r in others:
        lab = r["label"]
        got = ", ".join(f"{f['rule']}@{f['line']}" for f in r["other_rules_here"])
        w(f"  [{lab['ecosystem']}] {lab['repo']} {lab['path']}:{lab['line']} {lab['rule']}: got {got}\n")
    total = sum(len(v) for v in unl.values())
    w(f"\nunlabelled findings ({total})\n")
    for repo, items in unl.items():
        if not items:
            continue
        w(f"  {repo} ({len(items)})\n")
        for f in items:
            w(f"    {f.path}:{f.line} {f.rule} {f.message[:110]}\n")
    w("\nruns\n")
    for run in runs:
        status = f"error: {run.error}" if run.error else (
            f"{len(run.findings)} findings, {run.skipped} skipped, {run.partially_parsed} partially parsed"
            + (f", {len(run.absent)} files absent from the mirror" if run.absent else "")
        )
        w(f"  {run.repo}@{run.commit[:10]} {run.seconds:6.2f}s {status}\n")


def parse_args(argv: list) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST, help="labels (JSON lines)")
    p.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS, help="root of the git mirrors")
    p.add_argument("--bin", type=Path, default=DEFAULT_BIN, help="scalelint binary to score")
    p.add_argument("--by-category", action="store_true", help="a finding of the same category counts")
    p.add_argument("--window", type=int, default=3, help="lines either side of a label (default 3)")
    p.add_argument("--json", type=Path, dest="json_out", help="also write a JSON summary here")
    p.add_argument("--repo", action="append", default=[], help="only these repositories (owner/name)")
    p.add_argument("--ecosystem", action="append", default=[], help="only these ecosystems")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per scan (default 300)")
    p.add_argument("--scan-arg", action="append", default=[], help="extra argument for `check`")
    p.add_argument("--keep", type=Path, help="materialise trees here and keep them")
    p.add_argument("--validate-only", action="store_true", help="check the manifest and mirrors, scan nothing")
    p.add_argument("--list-repos", action="store_true", help="print owner/name and commit of every labelled repository")
    p.add_argument("--min-recall", type=float, help="exit 1 when overall recall is below this")
    p.add_argument("--max-fp-rate", type=float, help="exit 1 when the overall FP rate is above this")
    args = p.parse_args(argv)
    if args.window < 0:
        p.error("--window must be 0 or more")
    return args


def main(argv: list) -> int:
    args = parse_args(argv)
    try:
        labels = load_manifest(args.manifest)
        if args.repo:
            labels = [lab for lab in labels if lab.repo in set(args.repo)]
        if args.ecosystem:
            labels = [lab for lab in labels if lab.ecosystem in set(args.ecosystem)]
        if not labels:
            raise ScoreError("no labels left after --repo / --ecosystem")
        by_repo = OrderedDict()
        for lab in labels:
            by_repo.setdefault(lab.repo, []).append(lab)
        if args.list_repos:
            for repo, labs in by_repo.items():
                print(f"{repo} {labs[0].commit}")
            return 0
        git_dirs, problems = {}, []
        for repo, labs in by_repo.items():
            try:
                git_dirs[repo] = find_git_dir(args.mirrors, repo)
            except ScoreError as err:
                problems.append(str(err))
                continue
            problems.extend(check_labels_exist(git_dirs[repo], labs[0].commit, labs))
        if problems:
            raise ScoreError("label problems:\n  " + "\n  ".join(problems))
        if args.validate_only:
            print(f"manifest OK: {len(labels)} labels in {len(by_repo)} repositories")
            return 0
        binary = args.bin.resolve()
        if not binary.is_file() or not os.access(binary, os.X_OK):
            raise ScoreError(f"no executable scalelint at {binary} (build it or pass --bin)")

        results, runs, unl = [], [], OrderedDict()
        work = args.keep or Path(tempfile.mkdtemp(prefix="scalelint-realworld-"))
        work.mkdir(parents=True, exist_ok=True)
        try:
            for repo, labs in by_repo.items():
                commit = labs[0].commit
                tree = work / repo.replace("/", "+")
                if tree.exists():
                    shutil.rmtree(tree)
                tree.mkdir(parents=True)
                run_absent = materialise(git_dirs[repo], commit, tree)
                start = time.monotonic()
                run = RepoRun(repo=repo, commit=commit, absent=run_absent)
                run.findings, run.skipped, run.partially_parsed = run_scanner(
                    binary, tree, args.scan_arg, args.timeout
                )
                run.seconds = time.monotonic() - start
                runs.append(run)
                by_path = index_findings(run.findings)
                for lab in labs:
                    results.append(match_label(lab, by_path, args.window, args.by_category))
                unl[repo] = unlabelled(run.findings, labs, args.window)
                if not args.keep:
                    shutil.rmtree(tree, ignore_errors=True)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    except ScoreError as err:
        print(f"score.py: {err}", file=sys.stderr)
        return 2

    summary = summarise(results)
    print_report(summary, results, runs, unl, sys.stdout)
    if args.json_out:
        doc = {
            "binary": str(args.bin),
            "by_category": args.by_category,
            "window": args.window,
            "summary": summary,
            "labels": results,
            "unlabelled": {
                repo: [f.as_json() for f in items] for repo, items in unl.items()
            },
            "runs": [
                {
                    "repo": r.repo,
                    "commit": r.commit,
                    "findings": len(r.findings),
                    "skipped": r.skipped,
                    "partially_parsed": r.partially_parsed,
                    "seconds": round(r.seconds, 3),
                    "absent_from_mirror": r.absent,
                }
                for r in runs
            ],
        }
        args.json_out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    overall = summary.get("all", {})
    failed = []
    if args.min_recall is not None and (overall.get("recall") or 0.0) < args.min_recall:
        failed.append(f"recall {overall.get('recall')} < {args.min_recall}")
    if args.max_fp_rate is not None and (overall.get("fp_rate") or 0.0) > args.max_fp_rate:
        failed.append(f"FP rate {overall.get('fp_rate')} > {args.max_fp_rate}")
    if failed:
        print("gate failed: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
