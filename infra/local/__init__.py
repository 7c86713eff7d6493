"""Knative's data plane and the rest of the system, played locally from infra/knative (dev and tests)."""
