"""Helpers that the course notebooks and the graders import.

Everything in this package ships to students in the release bundle, so it
must never hold solutions, hidden tests or hidden data.
"""
