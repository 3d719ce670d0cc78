"""Tiered residential water charges, Millbrook Water (FY2025 rates)."""

# (upper bound in thousand gallons, rate per thousand gallons); None = no cap
TIERS = [
    (5, 4.10),
    (15, 5.35),
    (None, 7.20),
]
BASE_CHARGE = 18.50  # monthly, 5/8" meter


def usage_charge(kgal: float) -> float:
    total, lower = 0.0, 0
    for upper, rate in TIERS:
        if upper is None or kgal <= upper:
            total += (kgal - lower) * rate
            break
        total += (upper - lower) * rate
        lower = upper
    return round(total, 2)


def monthly_bill(kgal: float) -> float:
    return round(BASE_CHARGE + usage_charge(kgal), 2)
