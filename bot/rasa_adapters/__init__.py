"""Rasa adapters: the NLU components, channels and server guards (these import rasa)."""
