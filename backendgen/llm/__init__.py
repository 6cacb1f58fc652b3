"""The LLM layer: providers, the agent runner, replay cache, pricing, spend cap, usage.

It covers instructor with re-ask and the blueprint fallback, and builds on the agents (their
specs, blueprints and tasks); the engine uses it.
"""
