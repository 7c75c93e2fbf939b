"""bot/understanding"""
