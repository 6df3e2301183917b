"""The ``evalkit`` command: parse arguments, call one function per command, print one-line errors."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from evalkit.errors import EvalkitError, set_strict
from evalkit.protocols.supervised import FAILURE_OVERLAPS, INIT_BOXES

ALL_TRACKERS = ("siamfc", "hinge", "globalsim")  # the Siamese family: `--tracker all`


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        set_strict(getattr(args, "strict", False))
        return args.command(args)
    except EvalkitError as exc:
        print(f"evalkit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr.close()
        return 0
    finally:
        set_strict(False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evalkit", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    report = commands.add_parser("report", help="score raw results and write plots, tables and summary.json")
    report.add_argument("--bench", required=True, help="benchmark name (see `evalkit list`)")
    report.add_argument("--root", type=Path, help="the benchmark's folder (annotations; synthetic: optional)")
    report.add_argument("--results", required=True, type=Path, help="folder of tracker result folders")
    report.add_argument("--trackers", help="comma-separated tracker names (default: all found)")
    report.add_argument("--profile", help="scoring convention (default: the benchmark's own toolkit's)")
    report.add_argument("--image-sizes", type=Path, metavar="JSON",
                        help="VOT: image sizes {\"<seq>\": [width, height]} for sequences without frames")
    report.add_argument("--out", type=Path, help="output folder (default: reports/<bench>, or reports/<bench>-<profile>)")
    report.add_argument("--strict", action="store_true", help="treat every input warning as an error")
    report.set_defaults(command=cmd_report)

    run = commands.add_parser("run", help="run trackers on a benchmark, then report")
    run.add_argument("--tracker", required=True,
                     help="tracker name, comma-separated names, or 'all' (= " + ",".join(ALL_TRACKERS) + ")")
    run.add_argument("--bench", required=True, help="benchmark name (see `evalkit list`)")
    run.add_argument("--root", type=Path, help="the benchmark's folder (synthetic: optional, generated)")
    run.add_argument("--sequences", help="comma-separated sequence names (default: all with frames)")
    run.add_argument("--weights", action="append", default=[], metavar="[TRACKER=]PATH",
                     help="checkpoint for the tracker (repeat as NAME=PATH for several trackers)")
    run.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda")
    run.add_argument("--deterministic", action="store_true", help="one sequence at a time (no batching, no pool)")
    run.add_argument("--init-box", default="area", choices=sorted(INIT_BOXES),
                     help="VOT: polygon to initialisation box (area: pysot/SiamRPN family; tight: min/max box)")
    run.add_argument("--failure-overlap", default="pysot", choices=sorted(FAILURE_OVERLAPS),
                     help="VOT: the raster overlap that judges failures (pysot: as the published runs; vot: vot-toolkit's)")
    run.add_argument("--profile", help="scoring convention of the report (default: the benchmark's own toolkit's)")
    run.add_argument("--slots", type=int, help="sequences in flight for batched trackers")
    run.add_argument("--workers", type=int, default=1, help="processes for trackers without a batched form")
    run.add_argument("--out", type=Path, default=Path("results"), help="results folder (default: results/)")
    run.add_argument("--compare", type=Path, action="append", default=[],
                     help="existing results folder to add to the report (repeatable)")
    run.add_argument("--report-out", type=Path, help="report folder (default: reports/<bench>)")
    run.add_argument("--strict", action="store_true", help="treat every input warning as an error")
    run.set_defaults(command=cmd_run)

    train = commands.add_parser("train", help="train a Siamese tracker (siamfc, hinge, globalsim)")
    train.add_argument("--tracker", required=True, choices=ALL_TRACKERS)
    train.add_argument("--data", required=True, nargs="+",
                       help="GOT-10k split folders, <dataset>/<seq> folders, or 'synthetic'")
    train.add_argument("--out", required=True, type=Path, help="checkpoint to write (epochs go beside it)")
    train.add_argument("--epochs", type=int, default=50)
    train.add_argument("--batch-size", type=int, default=8)
    train.add_argument("--iterations", type=int, help="iterations per epoch (default: pairs / batch size)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda")
    train.add_argument("--workers", type=int, default=0, help="data-loading processes")
    train.add_argument("--resume", action="store_true", help="continue from the last epoch checkpoint")
    train.add_argument("--loss-option", action="append", default=[], metavar="KEY=VALUE",
                       help="override a loss constant, e.g. rho=inf (repeatable)")
    train.add_argument("--half", action="store_true", help="store the final checkpoint in float16")
    train.set_defaults(command=cmd_train)

    submission = commands.add_parser("submission", help="zip a tracker's GOT-10k test results for the server")
    submission.add_argument("--results", required=True, type=Path, help="the tracker's folder, e.g. results/got10k-test/siamfc")
    submission.add_argument("--out", required=True, type=Path, help="zip file to write")
    submission.set_defaults(command=cmd_submission)

    listing = commands.add_parser("list", help="list trackers, benchmarks and scoring profiles")
    listing.set_defaults(command=cmd_list)
    return parser


def cmd_report(args: argparse.Namespace) -> int:
    from evalkit import report_cache

    trackers = [t.strip() for t in args.trackers.split(",") if t.strip()] if args.trackers else None
    bench = args.bench.lower()
    out = args.out or Path("reports") / (f"{bench}-{args.profile}" if args.profile else bench)
    sizes = args.image_sizes
    options = {"bench": bench, "root": str(args.root.resolve()) if args.root else "", "results": str(args.results.resolve()),
               "trackers": args.trackers or "", "profile": args.profile or "", "strict": str(args.strict),
               "image_sizes": str(sizes.resolve()) if sizes else ""}
    key = report_cache.fingerprint(options, args.results, *([args.root] if args.root else []), *([sizes] if sizes else []))
    cached = report_cache.load(out, key)
    if cached is not None:
        _print_problems(cached["problems"])
        print(cached["terminal"])
        print(f"report unchanged: {out / 'index.html'}")
        return 0

    from evalkit.benchmarks import load_benchmark
    from evalkit.evaluate import evaluate
    from evalkit.report import format_terminal_table, write_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        evaluation = evaluate(load_benchmark(bench, args.root, sizes), args.results, trackers, args.profile)
    files = write_report(evaluation, out)
    terminal = format_terminal_table(evaluation)
    report_cache.store(out, key, files, terminal, evaluation.problems)
    _print_problems(evaluation.problems)
    print(terminal)
    print(f"report written: {out / 'index.html'}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from evalkit.runners.experiment import run_and_report

    names = list(ALL_TRACKERS) if args.tracker == "all" else [t.strip() for t in args.tracker.split(",") if t.strip()]
    sequences = [s.strip() for s in args.sequences.split(",")] if args.sequences else None
    return run_and_report(
        names, args.bench.lower(), args.root, sequences=sequences, weights=_weights_by_tracker(args.weights, names),
        device=args.device, deterministic=args.deterministic, slots=args.slots, workers=args.workers,
        out=args.out, compare=args.compare, report_out=args.report_out, init_box=args.init_box,
        failure_overlap=args.failure_overlap, profile=args.profile)


def _weights_by_tracker(values: list[str], names: list[str]) -> dict[str, str]:
    weights: dict[str, str] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep:
            if len(names) != 1:
                raise EvalkitError("with several trackers, pass --weights NAME=PATH for each")
            name, path = names[0], value
        if name not in names:
            raise EvalkitError(f"--weights {value}: {name!r} is not among the trackers run ({', '.join(names)})")
        weights[name] = path
    return weights


def cmd_train(args: argparse.Namespace) -> int:
    from evalkit.benchmarks import load_benchmark
    from trackers.siamese.training.train import train

    data = [load_benchmark("synthetic", None) if item == "synthetic" else Path(item) for item in args.data]
    options = dict(item.partition("=")[::2] for item in args.loss_option)
    out = train(args.tracker, data, args.out, epochs=args.epochs, batch_size=args.batch_size,
                iterations_per_epoch=args.iterations, seed=args.seed, device=args.device, resume=args.resume,
                loss_options=options, num_workers=args.workers, half=args.half)
    print(f"checkpoint written: {out}")
    return 0


def cmd_submission(args: argparse.Namespace) -> int:
    from evalkit.results.got10k_layout import make_submission_zip

    print(f"submission written: {make_submission_zip(args.results, args.out)}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from evalkit.benchmarks import benchmark_names
    from evalkit.trackers import tracker_names

    print("trackers: " + ", ".join(tracker_names()) + f"  ('all' = {', '.join(ALL_TRACKERS)})")
    from evalkit.metrics.ope import PROFILES

    print("benchmarks: " + ", ".join(benchmark_names()))
    print("profiles:")
    for profile in PROFILES.values():
        print(f"  {profile.name:8s} {profile.description}")
    print("  got10k   (GOT-10k benchmarks) got10k's ExperimentGOT10k: frame 1 excluded, covered frames, boxes clipped to the image")
    from evalkit.metrics.vot import PROFILES as VOT_PROFILES

    for profile in VOT_PROFILES.values():
        print(f"  {profile.name:8s} (VOT benchmarks) {profile.description}")
    return 0


def _print_problems(problems: list[str]) -> None:
    for line in problems:
        print(f"evalkit: warning: {line}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
