"""The ``got10k`` OPE profile against the got10k package's own ExperimentOTB.report."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.errors import Problems
from evalkit.evaluate import evaluate_ope
from evalkit.metrics.ope import PROFILES
from evalkit.results.ope import read_ope_tracker
from tests.got10k_peer import got10k_sequence_name, write_got10k_otb_layout

# Trackers whose files exercise the policies: NaN rows (TLD), a corner-form first row (SiamRPN),
# short files and an all-annotation-lines Tiger1 (MDNet_rerun_zz), plain files (SiamFC-3s).
PEER_TRACKERS = ["TLD", "SiamRPN", "MDNet_rerun_zz", "SiamFC-3s"]


def test_got10k_profile_equals_got10k_report(tmp_path, monkeypatch, otb2015, otb_results):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    experiments = pytest.importorskip("got10k.experiments")
    problems = Problems()
    trackers = [read_ope_tracker(n, [otb_results / n], otb2015, problems) for n in PEER_TRACKERS]
    root, results = write_got10k_otb_layout(tmp_path, otb2015, trackers)

    experiment = experiments.ExperimentOTB(
        str(root), version=2015, result_dir=str(results), report_dir=str(tmp_path / "reports"))
    monkeypatch.setattr(experiment, "plot_curves", lambda names: None)
    peer = experiment.report(PEER_TRACKERS)

    ours = evaluate_ope(otb2015, trackers, PROFILES["got10k"])
    names = {got10k_sequence_name(seq): seq.name for seq in otb2015}
    for index, name in enumerate(PEER_TRACKERS):
        overall = peer[name]["overall"]
        assert ours.summary.loc[name, "success_auc"] == pytest.approx(overall["success_score"], abs=1e-9)
        assert ours.summary.loc[name, "precision_20"] == pytest.approx(overall["precision_score"], abs=1e-9)
        np.testing.assert_allclose(ours.curves["success"].values[index], overall["success_curve"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(ours.curves["precision"].values[index], overall["precision_curve"], rtol=0, atol=1e-9)
        per_seq = ours.per_sequence[ours.per_sequence.tracker == name].set_index("sequence")
        for peer_name, scores in peer[name]["seq_wise"].items():
            assert per_seq.loc[names[peer_name], "success_auc"] == pytest.approx(scores["success_score"], abs=1e-9)
            assert per_seq.loc[names[peer_name], "precision_20"] == pytest.approx(scores["precision_score"], abs=1e-9)
    assert np.isnan(ours.summary["norm_precision_20"]).all()  # got10k defines no normalized precision
