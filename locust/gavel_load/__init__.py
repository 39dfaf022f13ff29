"""Helpers of Gavel's Locust scenarios: response checking, accounts and sessions, the shared
view of the catalog. Kept apart from locustfile.py so the user classes read as scenarios."""
