"""Invoices."""


def total(lines):
    return round(sum(q * p for q, p in lines), 2)
