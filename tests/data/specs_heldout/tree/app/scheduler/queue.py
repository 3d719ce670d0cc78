"""Runs due jobs."""


def due(jobs, now):
    return [j for j in jobs if j.at <= now]
