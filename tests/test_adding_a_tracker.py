"""The example adapter in docs/adding-a-tracker.md works as the page says."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from evalkit.runners.experiment import run_tracker
from evalkit.textio import read_table
from evalkit.trackers import create_tracker, tracker_names
from tests.tiny_benchmark import make_tiny_benchmark

DOC = Path(__file__).resolve().parents[1] / "docs" / "adding-a-tracker.md"


def test_the_documented_adapter_registers_and_runs(tmp_path):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    module = tmp_path / "template_adapter.py"
    module.write_text(code)
    namespace: dict = {}
    exec(compile(code, str(module), "exec"), namespace)  # noqa: S102 - the doc's own example
    assert "template" in tracker_names()
    tracker = create_tracker("template")
    bench = make_tiny_benchmark(tmp_path / "bench", sequences=2, frames=6)
    summary = run_tracker(tracker, "template", {}, bench, tmp_path / "out", progress=False)
    assert summary.finished == ["Seq0", "Seq1"] and not summary.failed
    boxes = read_table(tmp_path / "out" / "template" / "Seq0.txt")
    np.testing.assert_allclose(boxes, bench["Seq0"].gt, atol=1.0)  # it follows the drifting square
