"""The finance domain (tài chính OCOP), pure: budgets, budget lines, reward tariffs and claims, support items.

See README.md beside this file for the aggregates, their commands, the events they record and their errors.
"""
