"""Build a draft weekly rota from staff.csv and rota_rules.yaml."""
import yaml

def load_rules(path="rota_rules.yaml"):
    with open(path) as f:
        return yaml.safe_load(f)

def violations(rota, rules):
    """rota: list of dicts {staff, role, branch, day, shift}. Returns list of strings."""
    out = []
    counts = {}
    for r in rota:
        counts[r["staff"]] = counts.get(r["staff"], 0) + 1
    for staff, n in counts.items():
        if n > rules["max_shifts_per_week"]:
            out.append(f"{staff}: {n} shifts > {rules['max_shifts_per_week']}")
    # TODO: max_consecutive_nights is in the YAML but not enforced yet
    return out
