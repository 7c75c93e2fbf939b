"""The outbox: every message that leaves the system (Slack handoff posts, the digest, the plan
by email, later CRM pushes) is a row here before it is sent.

Durable (a table in the leads database, or a spool file beside the lead spool while that
database is down), de-duplicated (one row per idempotency key), retried with exponential
back-off and jitter up to a maximum number of attempts, and delivered in order per lead and
destination. Rank: beside `bot.leads` (a table of the same database, through the same store);
below `bot.notify`, whose delivery worker sends the rows and knows what they mean.

Submodules (imported explicitly, nothing is built at import time):
- `models`: the `outbox` table, the `OutboxItem` value and its states;
- `retry`: the back-off policy (pure);
- `store`: `Outbox`: enqueue (or spool), claim, record the outcome, list for the dashboard.
"""
