"""Exits: exit records and checklists, exit interviews and the anonymous exit survey, attrition reports: Strawberry types."""
