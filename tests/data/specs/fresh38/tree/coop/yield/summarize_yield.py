import sys

import pandas as pd


def summarize(path):
    df = pd.read_csv(path)
    out = df.groupby("crop").apply(
        lambda g: (g.bu_per_acre * g.acres).sum() / g.acres.sum()
    )
    return out.rename("weighted_bu_per_acre")


if __name__ == "__main__":
    print(summarize(sys.argv[1]).to_string())
