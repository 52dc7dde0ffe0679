#!/usr/bin/env python3
"""Unit tests of score.py's matching and manifest checks (python3 -m unittest, no network)."""

import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score  # noqa: E402  (imported after the path is set)

SHA = "0123456789abcdef0123456789abcdef01234567"


def label(**kw):
    base = dict(
        repo="o/r",
        commit=SHA,
        path="app.js",
        line=10,
        rule="SL101",
        expect="finding",
        ecosystem="js",
        note="n",
        lineno=1,
    )
    base.update(kw)
    return score.Label(**base)


def by_path(*findings):
    return score.index_findings([score.Finding(rule=r, path=p, line=l) for r, p, l in findings])


class MatchTest(unittest.TestCase):
    def test_positive_found_within_window(self):
        res = score.match_label(label(), by_path(("SL101", "app.js", 13)), 3, False)
        self.assertEqual(res["outcome"], "found")

    def test_positive_missed_outside_window_or_other_path(self):
        idx = by_path(("SL101", "app.js", 14), ("SL101", "other.js", 10))
        self.assertEqual(score.match_label(label(), idx, 3, False)["outcome"], "missed")

    def test_other_rule_does_not_count_unless_by_category(self):
        idx = by_path(("SL102", "app.js", 10))
        self.assertEqual(score.match_label(label(), idx, 3, False)["outcome"], "missed")
        self.assertEqual(score.match_label(label(), idx, 3, True)["outcome"], "found")
        idx = by_path(("SL201", "app.js", 10))
        self.assertEqual(score.match_label(label(), idx, 3, True)["outcome"], "missed")

    def test_negative_false_positive_and_other_rule_reported_apart(self):
        neg = label(expect="silent")
        self.assertEqual(
            score.match_label(neg, by_path(("SL101", "app.js", 8)), 3, False)["outcome"],
            "false_positive",
        )
        res = score.match_label(neg, by_path(("SL503", "app.js", 10)), 3, False)
        self.assertEqual(res["outcome"], "silent")
        self.assertEqual([f["rule"] for f in res["other_rules_here"]], ["SL503"])

    def test_paths_are_normalised(self):
        idx = by_path(("SL101", "./app.js", 10))
        self.assertEqual(score.match_label(label(path="app.js"), idx, 3, False)["outcome"], "found")

    def test_unlabelled_findings(self):
        findings = [
            score.Finding("SL301", "app.js", 12),
            score.Finding("SL301", "app.js", 40),
            score.Finding("SL301", "b.js", 10),
        ]
        left = score.unlabelled(findings, [label()], 3)
        self.assertEqual([(f.path, f.line) for f in left], [("app.js", 40), ("b.js", 10)])

    def test_summary_counts(self):
        results = [
            score.match_label(label(), by_path(("SL101", "app.js", 10)), 3, False),
            score.match_label(label(line=50), by_path(), 3, False),
            score.match_label(label(expect="silent", ecosystem="python"), by_path(), 3, False),
        ]
        summary = score.summarise(results)
        self.assertEqual(summary["js"]["positives"], 2)
        self.assertEqual(summary["js"]["found"], 1)
        self.assertAlmostEqual(summary["js"]["recall"], 0.5)
        self.assertEqual(summary["python"]["fp_rate"], 0.0)
        self.assertIsNone(summary["python"]["recall"])
        self.assertEqual(list(summary)[-1], "all")


class ManifestTest(unittest.TestCase):
    def write(self, rows):
        tmp = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
        for row in rows:
            tmp.write(row if isinstance(row, str) else json.dumps(row))
            tmp.write("\n")
        tmp.close()
        self.addCleanup(Path(tmp.name).unlink)
        return Path(tmp.name)

    def good(self, **kw):
        row = dict(
            repo="o/r", commit=SHA, path="a.js", line=1, rule="SL101",
            expect="finding", ecosystem="js", note="why",
        )
        row.update(kw)
        return row

    def test_good_manifest_loads(self):
        labels = score.load_manifest(self.write([self.good(), self.good(line=2)]))
        self.assertEqual(len(labels), 2)

    def test_bad_rows_are_all_reported(self):
        path = self.write(
            [
                "not json",
                self.good(commit="abc"),
                self.good(expect="maybe", line=3),
                self.good(rule="X1", line=4),
                {k: v for k, v in self.good(line=5).items() if k != "note"},
            ]
        )
        with self.assertRaises(score.ScoreError) as ctx:
            score.load_manifest(path)
        text = str(ctx.exception)
        for needle in ("not JSON", "commit must be", "expect must be", "rule must", "missing note"):
            self.assertIn(needle, text)

    def test_duplicates_and_two_commits_for_one_repo_are_refused(self):
        with self.assertRaises(score.ScoreError):
            score.load_manifest(self.write([self.good(), self.good()]))
        with self.assertRaises(score.ScoreError):
            score.load_manifest(self.write([self.good(), self.good(line=2, commit="f" * 40)]))


class RealManifestTest(unittest.TestCase):
    def test_committed_manifest_is_valid_and_balanced(self):
        labels = score.load_manifest(score.DEFAULT_MANIFEST)
        pos = [lab for lab in labels if lab.expect == "finding"]
        neg = [lab for lab in labels if lab.expect == "silent"]
        self.assertGreaterEqual(len(pos), 40)
        self.assertGreaterEqual(len(neg), 40)
        for eco in ("js", "python", "rust", "infra"):
            self.assertGreaterEqual(sum(lab.ecosystem == eco for lab in pos), 10, eco)
            self.assertGreaterEqual(sum(lab.ecosystem == eco for lab in neg), 10, eco)


if __name__ == "__main__":
    unittest.main()
