"""The ``otb`` profile against the OTB MATLAB toolkit's own per-sequence output (bit-exact)."""

from __future__ import annotations

import json

import numpy as np

from evalkit.benchmarks.sequence import ragged
from evalkit.errors import Problems
from evalkit.metrics.ope import PROFILES, sequence_curves
from evalkit.results.ope import read_ope_tracker
from tests.conftest import shared_path


def test_every_reference_curve_is_reproduced_exactly(otb2015, otb_results):
    reference = shared_path("otb", "reference")
    success = json.loads((reference / "matlab_success_curves.json").read_text())
    precision = json.loads((reference / "matlab_precision_curves.json").read_text())
    gt, offsets = ragged([seq.gt for seq in otb2015])
    compared = []
    for ref_name, folder_name in success["tracker_name_map_to_staged_results"].items():
        folder = otb_results / folder_name
        if not folder.is_dir():
            continue  # the reference lists trackers whose raw results were never released
        tracker = read_ope_tracker(folder_name, [folder], otb2015, Problems())
        boxes = np.concatenate([tracker.sequences[name].runs[0] for name in otb2015.names])[None]
        curves = sequence_curves(PROFILES["otb"], boxes, gt, offsets)
        for index, name in enumerate(otb2015.names):
            np.testing.assert_array_equal(
                curves.success[0, index], success["success_curves"][ref_name][name], err_msg=f"{ref_name} {name}")
            np.testing.assert_array_equal(
                curves.precision[0, index], precision["precision_curves"][ref_name][name], err_msg=f"{ref_name} {name}")
        compared.append(ref_name)
    assert len(compared) >= 11, compared


def test_matlab_threshold_grid_is_not_numpys():
    thresholds = PROFILES["otb"].success_thresholds
    assert len(thresholds) == 21 and thresholds[0] == 0 and thresholds[-1] == 1
    assert thresholds[13] != np.arange(21)[13] * 0.05  # 0.65: the last bit differs
    assert thresholds[13] == 1 - 7 * 0.05
