"""The public event contract: pydantic models, CloudEvent type constants, the registry, exported schemas."""
