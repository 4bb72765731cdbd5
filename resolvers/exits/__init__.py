"""Queries, mutations and subscriptions of one domain.

Exits: exit records and checklists, exit interviews and the anonymous exit survey, attrition
reports.
"""
