import yaml


def load_rules():
    with open("claims/fraud_rules.yml") as fh:
        return yaml.safe_load(fh)


def test_rule_ids_unique():
    ids = [r["id"] for r in load_rules()["rules"]]
    assert len(ids) == len(set(ids))


def test_threshold_reachable():
    data = load_rules()
    assert sum(r["weight"] for r in data["rules"]) >= data["threshold"]
