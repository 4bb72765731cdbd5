"""Queries, mutations and subscriptions of one domain.

Compensation: pay records, pay bands, merit cycles, budgets, proposals, pay equity and payroll
export.
"""
