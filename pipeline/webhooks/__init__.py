"""Webhooks: each change of the feed pushed, signed, to subscribers through an outbox.

- `models`: endpoints, deliveries (the transactional outbox, one per change and endpoint) and
  the attempts log.
- `services`: the outbox listener, the delivery state machine, the sweeper, redelivery, secret
  rotation. `tasks` runs a delivery in the worker; never in the editor's request.
- `targets` refuses private addresses (SSRF); `transport` sends, checking the address it
  really connected to; `signing` follows Standard Webhooks.
- `views`, `forms`, `wagtail_hooks`: the admin (endpoints, delivery log, redelivery).
"""
