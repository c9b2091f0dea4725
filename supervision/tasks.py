"""Celery tasks: thin wrappers over the supervision services. (Filled in by the engine work.)"""
