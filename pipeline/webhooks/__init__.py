"""Webhooks: each change of the feed pushed, signed, to subscribers through an outbox.

- `models`: endpoints, deliveries (the transactional outbox, one per change and endpoint) and
  the attempts log.
- `outbox`: the change listener writing a change's deliveries in its transaction.
- `delivery`: one delivery's life: its task (run by the worker, never in the editor's request),
  the lease, the attempt, retries with backoff, per-item order and the in-flight limit.
- `sweeper`: queues again what a lost task or a killed worker left.
- `actions`: what an administrator does: redeliver, rotate the secret, (de)activate.
- `targets` refuses private addresses (SSRF); `transport` sends, checking the address it
  really connected to; `signing` follows Standard Webhooks.
- `views`, `forms`, `wagtail_hooks`: the admin (endpoints, delivery log, redelivery).
"""
