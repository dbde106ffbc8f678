"""Accuracy of the VQD detectors on the labelled evaluation set (``bench/vqd_dataset.py``).

    .venv/bin/python bench/vqd_eval.py [--split heldout|tuning|both] [--set name=value ...]

For each scene, a baseline is captured from its day and night baseline clips (as at a
camera's acceptance). Every other clip is decoded through ``psvis.health.vqd.keyframes``
(keyframes only, the real decode path) and diagnosed in windows of ``WINDOW`` consecutive
keyframes (sliding by one: each window is one diagnosis, as a camera diagnosed from the
keyframes of its latest segments). Printed per split:

* recall per class and severity: windows of a fault clip whose diagnosis names the class;
* precision per class and severity: of the windows naming the class - among the clean
  windows and the fault windows of that severity - the share whose clip has that fault;
* false alarms per 1,000 clean diagnoses (any fault named on a clean window), by class.

Defaults are tuned on the tuning split only; ``--set`` overrides a threshold for a run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from psvis.health.vqd.baseline import Baseline
from psvis.health.vqd.diagnose import FaultClass, diagnose
from psvis.health.vqd.features import features_of
from psvis.health.vqd.keyframes import read_keyframes
from psvis.health.vqd.thresholds import VqdThresholds

WINDOW = 3
TARGET_PRECISION, TARGET_RECALL, TARGET_FALSE_ALARMS = 0.95, 0.90, 1.0


def _diagnose_scene(
    args: tuple[Path, list[dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    root, entries, overrides = args
    thresholds = VqdThresholds.from_mapping(overrides)
    base_frames = [
        k.frame
        for e in entries
        if e["label"] == "baseline"
        for k in read_keyframes(root / e["path"], limit=None)
    ]
    baseline = Baseline.capture(base_frames, thresholds=thresholds)
    out: list[dict[str, Any]] = []
    for entry in entries:
        if entry["label"] == "baseline":
            continue
        # Each keyframe is measured once and reused by the windows that share it.
        frames = [features_of(k.frame) for k in read_keyframes(root / entry["path"], limit=None)]
        for start in range(0, len(frames) - WINDOW + 1):
            diagnosis = diagnose(
                frames[start : start + WINDOW], baseline=baseline, thresholds=thresholds
            )
            out.append(
                {
                    "split": entry["split"],
                    "scene": entry["scene"],
                    "variant": entry["variant"],
                    "label": entry["label"],
                    "severity": entry["severity"],
                    "clip": entry["path"],
                    "window": start,
                    "predicted": sorted(c.value for c in diagnosis.classes),
                    "metrics": diagnosis.metrics,
                }
            )
    return out


def evaluate(
    root: Path,
    splits: list[str],
    overrides: dict[str, Any],
    workers: int,
    scenes: list[str] | None = None,
) -> list[dict[str, Any]]:
    manifest = json.loads((root / "manifest.json").read_text())
    by_scene: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in manifest["clips"]:
        if entry["split"] in splits and (not scenes or entry["scene"] in scenes):
            by_scene[(entry["split"], entry["scene"])].append(entry)
    jobs = [(root, entries, overrides) for entries in by_scene.values()]
    results: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_diagnose_scene, jobs):
            results += part
    return results


def report(results: list[dict[str, Any]], split: str, classes: list[str]) -> list[str]:
    rows = [r for r in results if r["split"] == split]
    clean = [r for r in rows if r["label"] == "clean"]
    lines = [
        f"### {split}: {len(rows)} diagnoses ({len(clean)} clean), windows of {WINDOW} keyframes",
        "",
    ]
    severities = ["mild", "moderate", "strong"]
    lines.append(
        "| class | " + " | ".join(f"{s} P / R" for s in severities) + " | n per severity |"
    )
    lines.append("|---|" + "---|" * (len(severities) + 1))
    misses: Counter[str] = Counter()
    for cls in classes:
        cells = []
        n = 0
        for sev in severities:
            pool = clean + [r for r in rows if r["severity"] == sev]
            positives = [r for r in rows if r["label"] == cls and r["severity"] == sev]
            n = len(positives)
            tp = sum(cls in r["predicted"] for r in positives)
            flagged = [r for r in pool if cls in r["predicted"]]
            fp = sum(r["label"] != cls for r in flagged)
            precision = tp / (tp + fp) if tp + fp else float("nan")
            recall = tp / n if n else float("nan")
            mark = (
                ""
                if sev == "mild"
                else (" ✓" if precision >= TARGET_PRECISION and recall >= TARGET_RECALL else " ✗")
            )
            cells.append(f"{precision:.3f} / {recall:.3f}{mark}")
            for r in flagged:
                if r["label"] != cls and sev != "mild":
                    misses[
                        f"{cls} on {r['label']}{'/' + r['severity'] if r['severity'] else ''}"
                    ] += 1
            for r in positives:
                if cls not in r["predicted"] and sev != "mild":
                    misses[f"missed {cls}/{sev} ({r['variant']})"] += 1
        lines.append(f"| {cls} | " + " | ".join(cells) + f" | {n} |")
    alarms = [r for r in clean if r["predicted"]]
    by_class = Counter(c for r in alarms for c in r["predicted"])
    rate = 1000 * len(alarms) / max(len(clean), 1)
    verdict = "✓" if rate <= TARGET_FALSE_ALARMS else "✗"
    lines += [
        "",
        f"False alarms on clean: {len(alarms)} of {len(clean)}"
        f" = **{rate:.2f} per 1,000** {verdict}",
    ]
    if by_class:
        lines.append("  by class: " + ", ".join(f"{k} {v}" for k, v in by_class.most_common()))
    if misses:
        lines.append(
            "  errors at moderate/strong: "
            + ", ".join(f"{k} ×{v}" for k, v in misses.most_common(12))
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=Path("var/vqd-eval/v18"))
    parser.add_argument("--split", choices=["heldout", "tuning", "both"], default="both")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dump", type=Path, help="write every diagnosis (metrics) as JSON")
    parser.add_argument(
        "--scene", action="append", default=[], help="only these scenes (a quick tuning look)"
    )
    args = parser.parse_args()
    overrides: dict[str, Any] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = int(value) if value.isdigit() else float(value)
    VqdThresholds.from_mapping(overrides)  # refuse bad values before the work
    splits = ["tuning", "heldout"] if args.split == "both" else [args.split]
    started = time.perf_counter()
    results = evaluate(args.root, splits, overrides, args.workers, args.scene)
    elapsed = time.perf_counter() - started
    if args.dump:
        args.dump.write_text(json.dumps(results))
    classes = json.loads((args.root / "manifest.json").read_text())
    labels = sorted({c["label"] for c in classes["clips"]} - {"clean", "baseline"})
    order = [c.value for c in FaultClass]
    labels.sort(key=order.index)
    for split in ["heldout", "tuning"]:
        if split in splits:
            print("\n".join(report(results, split, labels)))
            print()
    print(f"{len(results)} diagnoses in {elapsed:.1f} s ({args.workers} workers)")
    print(f"threshold overrides: {overrides or 'none'}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
