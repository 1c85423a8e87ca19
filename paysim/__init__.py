"""paysim: a simulated payment provider, for `make run`, compose and the tests.

It speaks a small Stripe/Mangopay-like protocol (README.md, "Simulated payment
provider"): an API with a bearer key and idempotency keys, a hosted payer page where a
person confirms or refuses, and signed webhooks with retries. It keeps everything in the
memory of its one process: a restart forgets every payment and event. It is a
simulator, never a place where money is.
"""
