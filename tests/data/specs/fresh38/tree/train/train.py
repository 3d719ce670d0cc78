import argparse

import torch
import yaml
from torch.utils.data import DataLoader
from torchvision import models, transforms

from dataset import LeafDataset


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="train/config.yaml")
    args = ap.parse_args()
    cfg = yaml.safe_load(open(args.config))
    torch.manual_seed(cfg["seed"])

    tf = transforms.Compose([
        transforms.Resize((cfg["image_size"], cfg["image_size"])),
        transforms.ToTensor(),
    ])
    train_ds = LeafDataset(cfg["data_root"], f"{cfg['data_root']}/train.csv", tf)
    loader = DataLoader(train_ds, batch_size=cfg["batch_size"], shuffle=True, num_workers=4)

    model = models.resnet50(weights="IMAGENET1K_V2")
    model.fc = torch.nn.Linear(model.fc.in_features, cfg["num_classes"])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    loss_fn = torch.nn.CrossEntropyLoss()

    for epoch in range(cfg["epochs"]):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")
        torch.save(model.state_dict(), "checkpoint.pt")


if __name__ == "__main__":
    main()
