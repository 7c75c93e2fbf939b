"""Our variants of Rasa's dialogue policies (named by module path in config.yml)."""
