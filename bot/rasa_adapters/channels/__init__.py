"""Rasa adapters for input/output channels, loaded by module path from credentials.yml."""
