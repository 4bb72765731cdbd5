"""Pure rules and permissions of one domain.

Exits: exit records and checklists, exit interviews and the anonymous exit survey, attrition
reports.
"""
