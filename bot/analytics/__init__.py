"""bot/analytics"""
