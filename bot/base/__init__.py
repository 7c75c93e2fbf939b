"""bot/base"""
