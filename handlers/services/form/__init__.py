"""The activity-record form: model (plain values), steps (pure), prompts, file intake, and the service.

The service's state is the user's draft row: each input is applied by the pure steps and saved in one
transaction before the reply goes out.
"""
