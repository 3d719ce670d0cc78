import yaml
from pathlib import Path

RULES = Path(__file__).parents[1] / "dose_rules.yaml"


def test_rules_load():
    data = yaml.safe_load(RULES.read_text())
    assert len(data["rules"]) >= 4


def test_acetaminophen_daily_cap():
    data = yaml.safe_load(RULES.read_text())
    apap = [r for r in data["rules"] if r["drug"] == "acetaminophen"][0]
    assert apap["max_daily_mg"] == 4000
