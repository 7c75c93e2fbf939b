"""Notifications to the sales team: `base` (what a notifier is, the registry), `slack`, `digest`."""
