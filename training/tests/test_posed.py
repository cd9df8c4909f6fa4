"""The posed-set loader on a folder this test writes: real faces from the @vladmandic/face-api package's
demo photo (cut to 256x256 frames here), and broken rows."""

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.blazeface import FRONT_DETECTOR, BlazeFace, CropSpec, crop_face
from training.classes import FERPLUS_CLASSES
from training.data import DatasetError
from training.data.dataset import MixedTrainDataset, TrainDataset
from training.data.posed import load_posed
from training.data.transforms import Preprocess
from training.engine import torch_load

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "node_modules" / "@vladmandic" / "face-api" / "demo" / "sample1.jpg"
DETECTOR = FRONT_DETECTOR
CROP = CropSpec(0.09, 0.0, -0.105)
HEADER = ["file", "label", "split", "performer", "perf_type", "width", "height", "mode"]


def face_frames() -> list[np.ndarray]:
    """Four 256x256 frames of the smiling woman in sample1.jpg (as the e2e tests frame her), varied."""
    if not DEMO.is_file():
        pytest.skip(f"{DEMO} missing: run npm ci")
    photo = Image.open(DEMO).convert("RGB").crop((1385, 60, 1785, 460)).resize((256, 256))
    frames = [np.asarray(photo), np.asarray(photo)[:, ::-1]]
    frames += [np.asarray(photo.rotate(8)), np.clip(np.asarray(photo, np.int16) + 30, 0, 255).astype(np.uint8)]
    return [np.ascontiguousarray(f) for f in frames]


def write_posed(root: Path, rows: list[list[str]], frames: list[np.ndarray]) -> Path:
    (root / "images").mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames):
        Image.fromarray(f).save(root / "images" / f"{i:02d}.jpg")
    with open(root / "labels.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return root


def row(i: int, label: str, split: str) -> list[str]:
    return [f"images/{i:02d}.jpg", label, split, f"{i:02d}", "1", "256", "256", "RGB"]


@pytest.fixture(scope="module")
def detector() -> BlazeFace:
    pytest.importorskip("onnxruntime")
    return BlazeFace(DETECTOR)


def test_loads_each_split_as_the_app_crops_faces(tmp_path: Path, detector: BlazeFace) -> None:
    frames = face_frames()
    root = write_posed(
        tmp_path / "posed",
        [row(0, "happiness", "train"), row(1, "sadness", "train"), row(2, "fear", "val"), row(3, "neutral", "val")],
        frames,
    )
    train, val = load_posed(root, "train", detector, CROP, 64), load_posed(root, "val", detector, CROP, 64)
    assert train.images.shape == (2, 64, 64, 3) and val.images.shape == (2, 64, 64, 3)
    assert [FERPLUS_CLASSES[i] for i in train.labels] == ["happiness", "sadness"]
    assert [FERPLUS_CLASSES[i] for i in val.labels] == ["fear", "neutral"]
    assert train.soft is not None and np.array_equal(train.soft.argmax(1), train.labels)
    assert train.info["not_detected"] == [] and train.names == ["images/00.jpg", "images/01.jpg"]
    # the crop is the face: the mirrored frame gives the mirrored crop (to within resampling)
    diff = np.abs(train.images[0].astype(int) - train.images[1][:, ::-1].astype(int)).mean()
    assert diff < 12
    # a frame with no face is left out and named, not an error
    blank = np.full((256, 256, 3), 90, np.uint8)
    root2 = write_posed(tmp_path / "blank", [row(0, "anger", "train"), row(1, "anger", "train")], [frames[0], blank])
    got = load_posed(root2, "train", detector, CROP, 64)
    assert len(got) == 1 and got.info["not_detected"] == ["images/01.jpg"]


def test_the_crop_follows_the_eyes(detector: BlazeFace) -> None:
    frame = face_frames()[0]
    det = detector.detect(frame)
    assert det is not None and det.w > 60 and len(det.keypoints) == 6
    level, turned = crop_face(frame, det, CROP, 64, align=False), crop_face(frame, det, CROP, 64, align=True)
    assert level.shape == (64, 64, 3) and np.abs(level.astype(int) - turned.astype(int)).mean() > 1


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["images/00.jpg", "joy", "train", "01"], "line 2: unknown label 'joy'"),
        (["images/00.jpg", "anger", "test", "01"], "line 2: unknown split 'test'"),
        (["../outside.jpg", "anger", "train", "01"], "line 2: file '../outside.jpg' is not inside"),
        (["images/00.jpg", "anger", "train"], "line 2: wrong number of cells"),
        (["images/09.jpg", "anger", "train", "01"], "line 2: image 'images/09.jpg' cannot be read"),
    ],
)
def test_a_bad_row_names_its_line(tmp_path: Path, detector: BlazeFace, cells: list[str], message: str) -> None:
    root = tmp_path / "bad"
    (root / "images").mkdir(parents=True)
    Image.new("RGB", (256, 256)).save(root / "images" / "00.jpg")
    with open(root / "labels.csv", "w", newline="") as fh:
        fh.write("file,label,split,performer\n" + ",".join(cells) + "\n")
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_posed(root, "train", detector, CROP, 64)
    os.remove(root / "labels.csv")
    with pytest.raises(DatasetError, match="labels.csv: cannot open"):
        load_posed(root, "train", detector, CROP, 64)


def test_mixed_epochs_weight_each_part_and_repeat_with_the_seed(learnable_dir: Path) -> None:
    from training.data import load_split

    data = load_split("ferplus", learnable_dir, "train").labeled()
    pre = Preprocess(32, 1)
    a, b = TrainDataset(data, pre, 0, 0.0), TrainDataset(data.subset(np.arange(10)), pre, 1, 0.0)
    mixed = MixedTrainDataset([(a, 1.0), (b, 2.5)], seed=0)
    mixed.set_epoch(3)
    assert mixed.counts() == [len(a), 25] and len(mixed) == len(a) + 25
    rows = mixed.rows.copy()
    mixed.set_epoch(3)
    assert np.array_equal(rows, mixed.rows)
    mixed.set_epoch(4)
    assert not np.array_equal(rows, mixed.rows)
    x, y, soft = mixed[0]
    assert x.shape == (1, 32, 32) and 0 <= y < 8 and soft.shape == (8,)
    with pytest.raises(ValueError):
        MixedTrainDataset([(a, 0.0)], seed=0)


def test_training_across_domains_selects_on_both_and_reports_posed_val(
    learnable_dir: Path, tmp_path: Path, detector: BlazeFace
) -> None:
    from training import evaluate, train

    frames = face_frames()
    labels = ["happiness", "sadness", "neutral", "happiness"]
    rows = [row(i, labels[i], "train") for i in range(4)] + [row(i, labels[i], "val") for i in (0, 2)]
    root = write_posed(tmp_path / "posed", rows, frames)
    # the val rows point at the same frames under the val split
    run = train.main(
        [
            "--data",
            str(learnable_dir),
            "--posed-dir",
            str(root),
            "--posed-weight",
            "2",
            *["--input-size", "32", "--in-chans", "1", "--lr", "1e-3", "--batch-size", "16", "--threads", "1"],
            *["--epochs", "2", "--warmup-epochs", "0.5", "--body-lr-mult", "0.5", "--jitter", "0.1", "0.1"],
            *["--blur", "0.2", "--erase", "0.2", "--out", str(tmp_path / "run")],
        ]
    )
    meta = json.loads((run / "args.json").read_text())
    assert meta["selection"]["rule"] == "mean-ferplus-acc-posed-bacc"
    assert meta["posed"]["train_images"] == 4 and meta["posed"]["val_images"] == 2
    log = json.loads((run / "log.json").read_text())
    for r in log:
        assert r["selection_score"] == pytest.approx((r["valid_acc"] + r["posed_val_bacc"]) / 2)
    best = max(log, key=lambda r: r["selection_score"])
    ck = torch_load(run / "best.pt")
    assert ck["epoch"] == best["epoch"] and ck["best_acc"] == pytest.approx(best["selection_score"])
    # two parameter groups: the body at half the learning rate of CBAM and the head, after warm-up
    groups = ck["optimizer"]["param_groups"]
    assert len(groups) == 2 and groups[0]["lr"] == pytest.approx(groups[1]["lr"] * 0.5)
    metrics = evaluate.main(["--checkpoint", str(run / "best.pt"), "--out", str(tmp_path / "eval")])
    assert metrics["posed_val"]["images"] == 2 and "neutral_share_of_non_neutral" in metrics["posed_val"]
    with pytest.raises(SystemExit, match="needs --posed-dir"):
        train.main(
            ["--data", str(learnable_dir), "--select", "mean-ferplus-acc-posed-bacc", "--out", str(tmp_path / "x")]
        )


@pytest.mark.skipif(not os.environ.get("POSED_DIR"), reason="POSED_DIR not set")
def test_real_posed_set_counts_match_its_readme_and_every_face_is_found(detector: BlazeFace) -> None:
    root = os.environ["POSED_DIR"]
    val = load_posed(root, "val", detector, CROP, 64)
    assert len(val) == 217 and val.info["not_detected"] == []
    counts = val.class_counts()
    assert [counts[c] for c in ("neutral", "happiness", "sadness", "anger", "disgust", "fear", "surprise")] == [
        13,
        41,
        36,
        29,
        36,
        27,
        35,
    ]
    assert {n[:2] for n in (Path(x).name for x in val.names)} == {"06", "11", "16", "21", "26"}  # performer-disjoint
