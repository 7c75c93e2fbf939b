"""Carrier Advisor: the domain core (no Rasa imports), the web app and the CLI."""
