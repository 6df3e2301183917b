"""The ``vot`` profile against vot-toolkit 0.7.4 itself, run in its own environment
(tests/peers/setup_vot_toolkit.sh) on the published VOT2018 runs in ../shared/data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path

from evalkit.benchmarks import load_benchmark
from evalkit.evaluate import evaluate

REPO = Path(__file__).resolve().parents[1]
PEER_SCRIPT = REPO / "tests" / "peers" / "vot_toolkit_reference.py"
TRACKERS = ["DaSiamRPN", "Ocean-online", "SiamTPN", "Ocean-offline"]  # fewest, most and no failures; malformed
# vot-toolkit accumulates the EAO curve in float32 (compute_eao_curve), evalkit in float64.
CURVE_TOLERANCE = 1e-6
EAO_TOLERANCE = 1e-8


def _peer_python() -> Path:
    venv = Path(os.environ.get("EVALKIT_VOT_TOOLKIT_VENV", REPO / ".peers" / "vot-toolkit"))
    python = venv / "bin" / "python"
    if not python.is_file():
        pytest.skip(f"vot-toolkit peer environment not found at {venv}: create it with tests/peers/setup_vot_toolkit.sh")
    return python


@pytest.fixture(scope="module")
def peer_and_ours():
    python = _peer_python()
    root, results = shared_path("vot", "VOT2018"), shared_path("vot", "results-VOT2018")
    done = subprocess.run(
        [str(python), str(PEER_SCRIPT), "--sequences", str(root), "--results", str(results),
         "--sizes", str(root / "image_sizes.json"), "--year", "2018", "--trackers", ",".join(TRACKERS)],
        capture_output=True, text=True, timeout=600)
    if done.returncode:
        sys.stderr.write(done.stderr[-3000:])
    assert done.returncode == 0, "vot-toolkit reference script failed"
    peer = json.loads(done.stdout)
    peer = peer.get("trackers", peer)
    ours = evaluate(load_benchmark("vot2018", root), results, TRACKERS, "vot")
    return peer, ours


@pytest.mark.parametrize("tracker", TRACKERS[:3])
def test_accuracy_robustness_and_failures_equal_vot_toolkit(peer_and_ours, tracker):
    peer, ours = peer_and_ours
    row = ours.summary.loc[tracker]
    assert row["accuracy"] == pytest.approx(peer[tracker]["accuracy"], abs=1e-12)
    assert row["robustness"] == pytest.approx(peer[tracker]["robustness"], abs=1e-12)
    assert row["failures"] == pytest.approx(peer[tracker]["failures"], abs=1e-12)
    per_seq = ours.per_sequence[ours.per_sequence.tracker == tracker].set_index("sequence")
    for seq, values in peer[tracker]["per_sequence"].items():
        assert per_seq.at[seq, "accuracy"] == pytest.approx(values["accuracy"], abs=1e-12), seq
        assert per_seq.at[seq, "failures"] == pytest.approx(values["failures"], abs=1e-12), seq


@pytest.mark.parametrize("tracker", TRACKERS[:3])
def test_eao_and_its_curve_equal_vot_toolkit(peer_and_ours, tracker):
    peer, ours = peer_and_ours
    index = ours.trackers.index(tracker)
    curve = np.array(peer[tracker]["eao_curve"], dtype=float)
    mine = ours.curves["eao"].values[index]
    assert np.isfinite(mine).sum() == len(curve)
    np.testing.assert_allclose(mine[:len(curve)], curve, atol=CURVE_TOLERANCE)
    assert ours.summary.at[tracker, "eao"] == pytest.approx(peer[tracker]["eao"], abs=EAO_TOLERANCE)


def test_the_malformed_tracker_is_unscored_by_both(peer_and_ours):
    peer, ours = peer_and_ours
    assert peer["Ocean-offline"]["eao"] is None and "error" in peer["Ocean-offline"]
    assert ours.summary.loc["Ocean-offline", ["accuracy", "robustness", "failures", "eao"]].isna().all()
    assert any("bag_001.txt:196" in line for line in ours.problems)
