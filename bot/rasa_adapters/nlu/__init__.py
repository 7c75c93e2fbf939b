"""Rasa adapters for the NLU pipeline. The only part of `bot/` that imports Rasa."""
