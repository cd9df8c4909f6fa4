import json
from pathlib import Path

import numpy as np
import pytest

from training.blazeface import anchors as _anchors

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.mark.parametrize("card", ["blazeface-front-128.json", "blazeface-back-256.json"])
def test_anchors_from_the_card_match_the_detector_outputs(card: str) -> None:
    ort = pytest.importorskip("onnxruntime")
    c = json.loads((MODELS / card).read_text())
    anchors = _anchors(c["anchors"])
    assert anchors.min() > 0 and anchors.max() < 1
    sess = ort.InferenceSession(str(MODELS / c["file"]), providers=["CPUExecutionProvider"])
    size = c["input"]["size"]
    out = sess.run(c["outputs"]["scores"], {c["input"]["name"]: np.zeros((1, size, size, 3), np.float32)})
    assert sum(o.size for o in out) == len(anchors)
