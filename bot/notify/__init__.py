"""Notifications to the sales team (Slack). See `bot.notify.slack.SlackNotifier`."""
