"""Deployment manifests and the local stand-in for Knative's data plane."""
