"""Repository and loaders of one domain.

Growth and advancement: career tracks, growth plans, mentoring, readiness, talent ratings,
succession and promotion decisions.
"""
