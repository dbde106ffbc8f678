"""Camera health: liveness, uptime, fault tickets and video quality diagnosis (VQD).

``psvis.health.vqd`` is the pure diagnosis core (numpy only, no database, no clock):
keyframes in, a :class:`~psvis.health.vqd.diagnose.Diagnosis` out. Services, tickets,
findings and the console build on it.
"""
