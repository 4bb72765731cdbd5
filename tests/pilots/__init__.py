"""Tests of one domain.

Pilots: a practice changed for a cohort over a period, process surveys about it, and the comparison with the
rest of the organisation.
"""
