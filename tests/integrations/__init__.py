"""Tests of one domain.

Integrations in: integration tokens, SCIM 2.0, bulk import and xAPI learning evidence.
"""
