"""Carrier Advisor in layer packages, imports only going down (docs/architecture.md): the core
(base, domain, understanding, conversation: no I/O, no Rasa), storage, notifiers, the Rasa
adapters, the web app and the runtime (launcher, CLI)."""
