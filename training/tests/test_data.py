import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.classes import FERPLUS_CLASSES, RAFDB_CLASSES
from training.data import DatasetError, load_ferplus, load_ferplus_original, load_rafdb, majority_label
from training.data.ferplus import VOTE_COLUMNS

from .conftest import EXPECTED_2016, EXPECTED_2017, VOTE_ROWS, ferplus_dir, write_packed


def test_majority_rule() -> None:
    assert majority_label([10, 0, 0, 0, 0, 0, 0, 0, 0, 0]) == 0
    assert majority_label([1, 1, 1, 1, 1, 5, 0, 0, 0, 0]) == 5  # single votes do not count
    assert majority_label([5, 5, 0, 0, 0, 0, 0, 0, 0, 0]) == -1  # exactly half is not a majority
    assert majority_label([0, 0, 0, 0, 0, 0, 0, 0, 6, 4]) == -1  # unknown
    assert majority_label([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]) == -1  # not a face
    assert majority_label([1] * 10) == -1


@pytest.mark.parametrize("vote_set,expected", [("2017", EXPECTED_2017), ("2016", EXPECTED_2016)])
def test_packed_format(packed_dir: Path, vote_set: str, expected: dict) -> None:
    images = np.fromfile(packed_dir / "images.u8", np.uint8).reshape(-1, 48, 48)
    start = 0
    for split in ("train", "valid", "test"):
        d = load_ferplus(packed_dir, split, vote_set)
        n = len(expected[split])
        assert d.labels.tolist() == expected[split]
        assert np.array_equal(d.images, images[start : start + n])
        assert d.classes == FERPLUS_CLASSES
        assert d.soft is not None and d.soft.shape == (n, 8)
        labeled = d.labeled()
        assert np.allclose(labeled.soft.sum(1), 1.0)
        assert (labeled.soft.argmax(1) == labeled.labels).all()
        start += n


def _write_original(root: Path, rows: list[tuple[str, list[int]]], names: list[str], images: np.ndarray) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "fer2013.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["emotion", "pixels", "Usage"])
        for (split, _), im in zip(rows, images):
            usage = {"train": "Training", "valid": "PublicTest", "test": "PrivateTest"}[split]
            w.writerow([3, " ".join(map(str, im.reshape(-1))), usage])
    with open(root / "fer2013new.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Usage", "Image name", *VOTE_COLUMNS])
        for (split, votes), name in zip(rows, names):
            usage = {"train": "Training", "valid": "PublicTest", "test": "PrivateTest"}[split]
            w.writerow([usage, name, *votes])


def test_original_format(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    rows = [(s, v17) for s, v17, _ in VOTE_ROWS]
    # an extra train row with no FERPlus name (skipped) and one that reuses a name (the later wins)
    rows += [("train", [10] + [0] * 9), ("train", [0, 10] + [0] * 8)]
    names = [f"fer{i:07d}.png" for i in range(len(VOTE_ROWS))] + ["", "fer0000000.png"]
    images = rng.integers(0, 256, (len(rows), 48, 48), dtype=np.uint8)
    _write_original(tmp_path, rows, names, images)
    train = load_ferplus_original(tmp_path / "fer2013.csv", tmp_path / "fer2013new.csv", "train")
    # fer0000000 was overwritten by the last row (happiness), which moves to the end
    assert train.names == [f"fer{i:07d}.png" for i in range(1, 6)] + ["fer0000000.png"]
    assert train.labels.tolist() == [1, -1, -1, 2, 7, 1]
    assert np.array_equal(train.images[-1], images[-1])
    assert np.array_equal(train.images[0], images[1])
    test = load_ferplus(tmp_path, "test")
    assert test.labels.tolist() == EXPECTED_2017["test"]
    with pytest.raises(ValueError, match="2017"):
        load_ferplus(tmp_path, "test", vote_set="2016")


def test_rafdb_format(tmp_path: Path) -> None:
    (tmp_path / "EmoLabel").mkdir()
    (tmp_path / "Image" / "aligned").mkdir(parents=True)
    lines = ["train_00001.jpg 1", "train_00002.jpg 7", "test_0001.jpg 4"]
    (tmp_path / "EmoLabel" / "list_patition_label.txt").write_text("\n".join(lines) + "\n")
    rng = np.random.default_rng(0)
    for line in lines:
        stem = line.split()[0][:-4]
        Image.fromarray(rng.integers(0, 256, (100, 100, 3), dtype=np.uint8)).save(
            tmp_path / "Image" / "aligned" / f"{stem}_aligned.jpg"
        )
    train = load_rafdb(tmp_path, "train")
    assert train.labels.tolist() == [0, 6]
    assert [RAFDB_CLASSES[i] for i in train.labels] == ["surprise", "neutral"]
    assert train.images.shape == (2, 100, 100, 3)
    test = load_rafdb(tmp_path, "test")
    assert test.labels.tolist() == [3] and test.names == ["test_0001.jpg"]

    label_file = tmp_path / "EmoLabel" / "list_patition_label.txt"
    label_file.write_text("train_00001.jpg 1\ntrain_00002.jpg 9\n")
    with pytest.raises(DatasetError, match=r"list_patition_label.txt, line 2: unknown label '9'"):
        load_rafdb(tmp_path, "train")
    label_file.write_text("train_00001.jpg 1\ntrain_00003.jpg 2\n")
    with pytest.raises(DatasetError, match=r"train_00003_aligned.jpg.*line 2 is missing"):
        load_rafdb(tmp_path, "train")
    (tmp_path / "Image" / "aligned" / "train_00003_aligned.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DatasetError, match=r"train_00003_aligned.jpg: cannot decode"):
        load_rafdb(tmp_path, "train")
    Image.fromarray(np.zeros((90, 100, 3), np.uint8)).save(tmp_path / "Image" / "aligned" / "train_00003_aligned.jpg")
    with pytest.raises(DatasetError, match=r"train_00003_aligned.jpg: image is 100x90, expected 100x100"):
        load_rafdb(tmp_path, "train")
    label_file.write_text("train_00001.jpg 1 extra\n")
    with pytest.raises(DatasetError, match=r"line 1: expected"):
        load_rafdb(tmp_path, "train")


def test_packed_bad_input(tmp_path: Path) -> None:
    root = tmp_path / "p"
    with pytest.raises(DatasetError, match=r"missing: no FERPlus data"):
        load_ferplus(tmp_path / "missing", "train")
    (root).mkdir()
    (root / "images.u8").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"labels.csv: file not found"):
        load_ferplus(root, "train")
    write_packed(root, VOTE_ROWS)
    lines = (root / "labels.csv").read_text().splitlines()
    # wrong column count on data row 3 (file line 4)
    bad = lines[:3] + [lines[3] + ",extra"] + lines[4:]
    (root / "labels.csv").write_text("\n".join(bad) + "\n")
    with pytest.raises(DatasetError, match=r"labels.csv, line 4: expected \d+ columns, got \d+"):
        load_ferplus(root, "train")
    # unknown split name on line 5
    bad = lines[:4] + [lines[4].replace(",train,", ",holdout,", 1)] + lines[5:]
    (root / "labels.csv").write_text("\n".join(bad) + "\n")
    with pytest.raises(DatasetError, match=r"labels.csv, line 5: unknown split 'holdout'"):
        load_ferplus(root, "train")
    # non-numeric vote on line 2
    cells = lines[1].split(",")
    cells[5] = "x"
    (root / "labels.csv").write_text("\n".join([lines[0], ",".join(cells)] + lines[2:]) + "\n")
    with pytest.raises(DatasetError, match=r"labels.csv, line 2: vote counts must be numbers"):
        load_ferplus(root, "train")
    # truncated / wrong-size images.u8
    (root / "labels.csv").write_text("\n".join(lines) + "\n")
    data = (root / "images.u8").read_bytes()
    (root / "images.u8").write_bytes(data[:-100])
    with pytest.raises(DatasetError, match=r"images.u8: size \d+ bytes does not match 10 rows"):
        load_ferplus(root, "train")
    # header without the vote columns
    (root / "labels.csv").write_text("index,split\n0,train\n")
    with pytest.raises(DatasetError, match=r"labels.csv, line 1: header lacks columns"):
        load_ferplus(root, "train")


def test_original_bad_input(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    rows = [(s, v) for s, v, _ in VOTE_ROWS[:3]]
    names = ["fer0000000.png", "fer0000001.png", "fer0000002.png"]
    _write_original(tmp_path, rows, names, rng.integers(0, 256, (3, 48, 48), dtype=np.uint8))
    old = (tmp_path / "fer2013.csv").read_text().splitlines()
    new = (tmp_path / "fer2013new.csv").read_text().splitlines()
    short = old[:2] + [old[2].replace(old[2].split(",")[1], "1 2 3")] + old[3:]
    (tmp_path / "fer2013.csv").write_text("\n".join(short) + "\n")
    with pytest.raises(DatasetError, match=r"fer2013.csv, line 3: image has 3 pixels, expected 48x48=2304"):
        load_ferplus(tmp_path, "train")
    bad_label = old[:3] + ["9" + old[3][1:]]
    (tmp_path / "fer2013.csv").write_text("\n".join(bad_label) + "\n")
    with pytest.raises(DatasetError, match=r"fer2013.csv, line 4: unknown FER2013 emotion label '9'"):
        load_ferplus(tmp_path, "train")
    (tmp_path / "fer2013.csv").write_text("\n".join(old) + "\n")
    (tmp_path / "fer2013new.csv").write_text("\n".join(new[:2] + [new[2] + ",3"] + new[3:]) + "\n")
    with pytest.raises(DatasetError, match=r"fer2013new.csv, line 3: expected 12 columns, got 13"):
        load_ferplus(tmp_path, "train")
    (tmp_path / "fer2013new.csv").write_text("\n".join(new[:3]) + "\n")
    with pytest.raises(DatasetError, match=r"fer2013new.csv: ends before fer2013.csv"):
        load_ferplus(tmp_path, "train")
    (tmp_path / "fer2013new.csv").unlink()
    with pytest.raises(DatasetError, match=r"fer2013new.csv: file not found"):
        load_ferplus(tmp_path, "train")


@pytest.mark.skipif(ferplus_dir() is None, reason="FERPLUS_DIR not set")
def test_real_ferplus_counts_match_readme() -> None:
    root = ferplus_dir()
    # counts from the packed folder's README (official majority rule)
    for vote_set, want in (("2017", (25057, 3199, 3152)), ("2016", (25045, 3191, 3137))):
        got = tuple(len(load_ferplus(root, s, vote_set).labeled()) for s in ("train", "valid", "test"))
        assert got == want
    train16 = load_ferplus(root, "train", "2016").labeled().class_counts()
    assert train16 == {
        "neutral": 8733,
        "happiness": 7284,
        "surprise": 3136,
        "sadness": 3022,
        "anger": 2098,
        "disgust": 116,
        "fear": 536,
        "contempt": 120,
    }
    # every label equals the packed folder's own majority_label column
    with open(Path(root) / "labels.csv", newline="") as f:
        ref = [r["majority_label"] for r in csv.DictReader(f) if r["split"] == "test"]
    test = load_ferplus(root, "test", "2017")
    assert [FERPLUS_CLASSES[i] if i >= 0 else "" for i in test.labels] == ref
