"""Siamese checkpoints: both formats load, wrong ones fail with one line naming the file."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from evalkit.errors import EvalkitError  # noqa: E402
from evalkit.trackers import create_tracker  # noqa: E402
from trackers.siamese.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from trackers.siamese.config import SIAMFC_MODEL, TDM_MODEL  # noqa: E402
from trackers.siamese.network import SiameseNet  # noqa: E402


def test_evalkit_checkpoint_round_trip_in_half_precision(tmp_path):
    net = SiameseNet(TDM_MODEL)
    path = tmp_path / "hinge.pt"
    save_checkpoint(path, net, "hinge", {"seed": 3}, half=True)
    loaded, meta = load_checkpoint(path, expected_neck="tdm")
    assert meta == {"tracker": "hinge", "provenance": {"seed": 3}}
    for (name, a), b in zip(net.state_dict().items(), loaded.state_dict().values()):
        assert torch.allclose(a.float(), b.float(), atol=1e-2, rtol=1e-2), name
    assert not list(tmp_path.glob("*.tmp"))


def test_a_checkpoint_of_another_architecture_is_refused(tmp_path):
    path = tmp_path / "siamfc.pt"
    save_checkpoint(path, SiameseNet(SIAMFC_MODEL), "siamfc", {})
    with pytest.raises(EvalkitError, match=r"siamfc.pt: checkpoint is a 'none'-neck model, this tracker needs 'tdm'"):
        create_tracker("hinge", weights=path)
    state = SiameseNet(SIAMFC_MODEL).state_dict()
    state["backbone.conv1.0.weight"] = torch.zeros(48, 3, 11, 11)
    torch.save(state, tmp_path / "narrow.pth")
    with pytest.raises(EvalkitError, match="narrow.pth: weights do not fit"):
        create_tracker("siamfc", weights=tmp_path / "narrow.pth")
    torch.save({"model": {"fc.weight": torch.zeros(2)}}, tmp_path / "other.pth")
    with pytest.raises(EvalkitError, match="other.pth: not an evalkit or siamfc-pytorch"):
        create_tracker("siamfc", weights=tmp_path / "other.pth")


def test_shipped_weights_are_the_default(tmp_path, monkeypatch):
    tracker = create_tracker("hinge")
    assert tracker.name == "hinge" and tracker.net.config.neck == "tdm"
    monkeypatch.setattr("trackers.siamese.adapter.SHIPPED_WEIGHTS", tmp_path)
    with pytest.raises(EvalkitError, match="needs weights: pass --weights PATH"):
        create_tracker("globalsim")


def test_missing_and_unreadable_weights(tmp_path):
    with pytest.raises(EvalkitError, match="nowhere.pt: checkpoint not found"):
        create_tracker("siamfc", weights=tmp_path / "nowhere.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(EvalkitError, match="junk.pt: not a readable PyTorch checkpoint"):
        create_tracker("siamfc", weights=tmp_path / "junk.pt")
