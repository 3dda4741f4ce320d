"""Password hashing: Argon2id with OWASP's recommended minimum parameters.

argon2-cffi's defaults (t=3, 64 MiB, p=4) cost ~160 ms a hash on this class of machine,
which caps logins near 6/s per core. OWASP's Argon2id baseline (m=19 MiB, t=2, p=1) is
still recommended and allows far more logins per core. See docs/adr/0004.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same prefix: hashes stay readable by Django's own hasher
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
