"""The runtime every contest service shares.

Settings, structured logs, RFC 9457 problem responses, health endpoints, Kafka and MongoDB
wiring, event publishing and consuming with dead letters, and topic creation. Services
compose these in their own ``app`` module; nothing here knows about a particular service.
"""
