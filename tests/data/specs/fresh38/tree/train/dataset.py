import csv
from pathlib import Path

from PIL import Image
from torch.utils.data import Dataset

CLASSES = ["healthy", "gray_leaf_spot", "northern_blight", "common_rust", "tar_spot", "other"]


class LeafDataset(Dataset):
    def __init__(self, root, split_csv, transform=None):
        self.root = Path(root)
        self.transform = transform
        with open(split_csv, newline="") as f:
            self.rows = [r for r in csv.DictReader(f)]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, idx):
        row = self.rows[idx]
        img = Image.open(self.root / row["path"]).convert("RGB")
        label = CLASSES.index(row["label"])
        if self.transform:
            img = self.transform(img)
        return img, label
