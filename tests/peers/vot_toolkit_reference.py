"""VOT supervised ("baseline") A/R/EAO computed by vot-toolkit 0.7.4 itself, as an independent peer.

Run with the peer venv's interpreter (see setup_vot_toolkit.sh), never with evalkit's:

    PY=$(tests/peers/setup_vot_toolkit.sh)
    $PY tests/peers/vot_toolkit_reference.py \
        --sequences /work/shared/data/vot/VOT2018 \
        --results /work/shared/data/vot/results-VOT2018 \
        --sizes /work/shared/data/vot/VOT2018/image_sizes.json \
        --year 2018 [--trackers DaSiamRPN,SiamAPN] > ref.json

What comes from the toolkit (nothing of it is re-implemented here):
  * the stack (vot.stack.Stack.read of the integrated vot<year> yaml) gives the experiment
    (SupervisedExperiment: repetitions, skip_initialize, ...) and the analyses with their
    parameters (sensitivity, burn-in, bounded, EAO low/high);
  * sequences are loaded by vot.dataset.load_dataset (the toolkit's own indexer/loader), the
    results are read by the experiment (experiment.gather -> Trajectory.read) from a
    LocalStorage, and every number is produced by the analyses run through the toolkit's
    AnalysisProcessor (Analysis.run), plus vot.analysis.supervised.compute_accuracy for the
    per-sequence count of frames that enter the accuracy.

How the image sizes reach the toolkit (the frames are not shipped): each sequence is exposed
through a temporary directory holding a VOT "sequence" metadata file -- the format the toolkit
writes when it downloads a dataset -- with ``width``/``height`` taken from --sizes and
``length`` = the number of groundtruth regions, next to symlinks to the original
groundtruth.txt and *.tag/*.label/*.value files. vot.dataset.common._read_data uses the
metadata width/height instead of reading the first image and, given a length, does not check
that frame files exist. Where a sequence does ship its frames (color/%08d.jpg, e.g. VOT2018
``bag``), the toolkit's PatternFileListChannel reads them and the script fails if their size
or count disagrees with what it declared.

Results are read from ``<results>/<Tracker>/<experiment>/<seq>/<seq>_NNN.txt`` (NNN = 001..
repetitions) through a temporary workspace whose ``results`` entry is a symlink to --results.

Output: JSON on stdout (all toolkit progress/log output goes to stderr). A tracker whose
analysis fails inside the toolkit (e.g. a result file whose length differs from the
groundtruth: calculate_overlaps raises RegionException) gets ``"error"`` and null aggregates,
as the toolkit produces no aggregate for it; its per-sequence entries are still computed one
sequence at a time, failing sequences carrying their own ``"error"``.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import math
import os
import sys
import tempfile
import time

STACKS = {
    "2015": "vot2015/rgb",
    "2016": "vot2016/rgb",
    "2017": "vot2017",
    "2018": "vot2018/shortterm",
    "2019": "vot2019/shortterm",
}


def _fail(msg: str) -> None:
    print(f"vot_toolkit_reference: {msg}", file=sys.stderr)
    sys.exit(2)


def _finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


def build_sequence_dirs(src_root: str, dst_root: str, sizes: dict) -> list[str]:
    """Mirror every listed sequence as <dst_root>/<seq>/ with a VOT 'sequence' metadata file."""
    from vot.dataset.common import list_sequences
    from vot.region.io import read_trajectory

    names = list_sequences(src_root)  # the toolkit's own indexer (list.txt)
    if not names:
        _fail(f"no list.txt under {src_root}")
    names = [n for n in names if n]
    os.makedirs(dst_root, exist_ok=True)
    for name in names:
        src = os.path.join(src_root, name)
        if name not in sizes:
            _fail(f"no image size for sequence {name} in --sizes")
        width, height = (int(v) for v in sizes[name])
        gt_path = os.path.join(src, "groundtruth.txt")
        length = len(read_trajectory(gt_path))
        dst = os.path.join(dst_root, name)
        os.makedirs(dst, exist_ok=True)
        os.symlink(gt_path, os.path.join(dst, "groundtruth.txt"))
        for pattern in ("*.tag", "*.label", "*.value"):
            for f in glob.glob(os.path.join(src, pattern)):
                os.symlink(f, os.path.join(dst, os.path.basename(f)))
        with open(os.path.join(dst, "sequence"), "w") as fp:
            fp.write(f"name={name}\nfps=30\nformat=default\nchannels.color=color/%08d.jpg\n"
                     f"width={width}\nheight={height}\nlength={length}\n")
        # Frames shipped? Let the toolkit read them and insist they agree with the declaration.
        if os.path.isfile(os.path.join(src, "color", "00000001.jpg")):
            from vot.dataset import PatternFileListChannel
            channel = PatternFileListChannel(os.path.join(src, "color", "%08d.jpg"))
            if tuple(channel.size) != (width, height) or len(channel) != length:
                _fail(f"{name}: frames say size {channel.size} / {len(channel)} frames, "
                      f"declared {(width, height)} / {length}")
    with open(os.path.join(dst_root, "list.txt"), "w") as fp:
        fp.write("\n".join(names) + "\n")
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sequences", required=True, help="VOT dataset dir (list.txt, <seq>/groundtruth.txt, tags)")
    ap.add_argument("--results", required=True, help="dir of <Tracker>/<experiment>/<seq>/<seq>_NNN.txt")
    ap.add_argument("--sizes", required=True, help='JSON {"sizes": {seq: [width, height]}}')
    ap.add_argument("--year", required=True, choices=sorted(STACKS), help="which integrated stack")
    ap.add_argument("--trackers", default=None, help="comma-separated tracker folder names (default: all)")
    ap.add_argument("--experiment", default="baseline", help="experiment id in the stack (default baseline)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        out = run(args)
    out["runtime_s"] = round(time.perf_counter() - t0, 3)
    json.dump(out, real_stdout, indent=1)
    real_stdout.write("\n")


def run(args) -> dict:
    import vot
    from vot.analysis.failures import CumulativeFailureCount
    from vot.analysis.processor import AnalysisProcessor
    from vot.analysis.supervised import (
        AverageAccuracyRobustness,
        EAOCurve,
        EAOScore,
        compute_accuracy,
    )
    from vot.dataset import load_dataset
    from vot.stack import Stack, resolve_stack
    from vot.tracker import Tracker
    from vot.workspace.storage import LocalStorage

    with open(args.sizes) as fp:
        sizes = json.load(fp)
    sizes = sizes.get("sizes", sizes)

    stack_name = STACKS[args.year]
    stack = Stack.read(resolve_stack(stack_name))
    if args.experiment not in stack.experiments:
        _fail(f"stack {stack_name} has no experiment {args.experiment!r}")
    experiment = stack.experiments[args.experiment]

    results_root = os.path.abspath(args.results)
    if args.trackers:
        tracker_names = [t.strip() for t in args.trackers.split(",") if t.strip()]
    else:
        tracker_names = sorted(d for d in os.listdir(results_root)
                               if os.path.isdir(os.path.join(results_root, d, args.experiment)))
    for name in tracker_names:
        if not os.path.isdir(os.path.join(results_root, name, args.experiment)):
            _fail(f"no results for tracker {name!r} under {results_root}")

    def one(cls):
        found = [a for a in experiment.analyses if type(a) is cls]
        return found[0] if found else None

    avg_ar = one(AverageAccuracyRobustness)
    eao_score = one(EAOScore)
    eao_curve = eao_score.dependencies()[0] if eao_score is not None else one(EAOCurve)
    # 2018/2019 stacks do not list cumulative_failures; take the stack's where it has one,
    # else the toolkit's class with its defaults (it has no parameters).
    cum_fail = one(CumulativeFailureCount) or CumulativeFailureCount()
    if avg_ar is None:
        _fail(f"stack {stack_name}/{args.experiment} has no supervised_average_ar")
    ar = avg_ar.dependencies()[0]

    with tempfile.TemporaryDirectory(prefix="vot_toolkit_ref_") as tmp:
        names = build_sequence_dirs(os.path.abspath(args.sequences), os.path.join(tmp, "sequences"), sizes)
        workspace = os.path.join(tmp, "workspace")
        os.makedirs(workspace)
        os.symlink(results_root, os.path.join(workspace, "results"))
        experiment._storage = LocalStorage(workspace)  # what vot.workspace.Workspace does

        dataset = load_dataset(os.path.join(tmp, "sequences"))
        sequences = experiment.transform([dataset[n] for n in names])

        out = {
            "toolkit": f"vot-toolkit {vot.__version__}",
            "stack": stack_name,
            "experiment": {"id": args.experiment, "type": type(experiment).__name__,
                           "repetitions": experiment.repetitions,
                           "skip_initialize": experiment.skip_initialize,
                           "failure_overlap": experiment.failure_overlap},
            "analyses": {"ar": dict(ar.dump()), "eao_curve": dict(eao_curve.dump()) if eao_curve else None,
                         "eao_score": dict(eao_score.dump()) if eao_score else None},
            "sequence_source": "temporary VOT 'sequence' metadata dirs (width/height from --sizes, "
                               "length = #groundtruth regions) loaded by vot.dataset.load_dataset",
            "sequences": {s.name: {"length": len(s), "size": list(s.size)} for s in sequences},
            "trackers": {},
        }

        with AnalysisProcessor.default():
            for name in tracker_names:
                tracker = Tracker(name, None, None)
                out["trackers"][name] = evaluate_tracker(
                    tracker, experiment, sequences, ar, avg_ar, cum_fail, eao_curve, eao_score, compute_accuracy)
                print(f"[vot-toolkit reference] {name}: "
                      f"{out['trackers'][name].get('error') or 'ok'}", file=sys.stderr)
    return out


def _error_text(e: BaseException) -> str:
    root = getattr(e, "root_cause", None) or e
    return f"{type(root).__name__}: {root}"


def evaluate_tracker(tracker, experiment, sequences, ar, avg_ar, cum_fail, eao_curve, eao_score, compute_accuracy):
    res = {"accuracy": None, "robustness": None, "failures": None, "eao": None, "eao_curve": None,
           "ar_point": None, "mean_length": None, "per_sequence": {}}

    # Per-sequence part, one sequence at a time so a bad file only spoils its own sequence.
    any_error = None
    for seq in sequences:
        entry = {"length": len(seq)}
        try:
            a, f, _point, _length = ar.run(experiment, [tracker], [seq])[0, 0]
            trajectories = experiment.gather(tracker, seq)
            used = [int(compute_accuracy(t.regions(), seq, ar.burnin, ar.ignore_unknown, ar.bounded)[1])
                    for t in trajectories]
            entry.update({"accuracy": float(a), "failures": float(f), "frames_used": int(sum(used)),
                          "repetitions": len(trajectories),
                          "trajectory_lengths": sorted({len(t) for t in trajectories})})
        except Exception as e:  # noqa: BLE001 -- whatever the toolkit raises is the finding
            entry["error"] = _error_text(e)
            any_error = any_error or f"{seq.name}: {entry['error']}"
            try:
                entry["trajectory_lengths"] = sorted({len(t) for t in experiment.gather(tracker, seq)})
            except Exception as e2:  # noqa: BLE001
                entry["gather_error"] = _error_text(e2)
        res["per_sequence"][seq.name] = entry

    # Tracker-level analyses exactly as the stack runs them (all sequences at once).
    try:
        accuracy, robustness, point, mean_length = avg_ar.run(experiment, [tracker], sequences)[0, 0]
        res.update({"accuracy": float(accuracy), "robustness": float(robustness),
                    "ar_point": [float(point[0]), float(point[1])], "mean_length": float(mean_length)})
        res["failures"] = float(cum_fail.run(experiment, [tracker], sequences)[0, 0][0])
        if eao_curve is not None:
            curve = eao_curve.run(experiment, [tracker], sequences)[0, 0][0]
            res["eao_curve"] = [_finite(v) for v in curve]
        if eao_score is not None:
            res["eao"] = float(eao_score.run(experiment, [tracker], sequences)[0, 0][0])
    except Exception as e:  # noqa: BLE001 -- the toolkit gives no aggregate; say why
        res["error"] = any_error or _error_text(e)
    return res


if __name__ == "__main__":
    main()
