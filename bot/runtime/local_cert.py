"""A self-signed TLS certificate for a local deployment (`docker compose up`), once.

    python -m bot.runtime.local_cert /certs/local.pem [hostname ...]

Writes the key and the certificate into one PEM file (what HAProxy's `crt` wants), unless the
file exists. Browsers warn about it: for production, mount a real certificate instead.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import Sequence


def write_self_signed(path: Path, hostnames: Sequence[str] = ("localhost",)) -> bool:
    """Create `path` (key + certificate, PEM); False when it already exists."""
    if path.exists():
        return False
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt_names = [x509.DNSName(h) for h in hostnames] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .sign(key, hashes.SHA256()))
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM)
    # 0644: HAProxy reads it as its own user; only the load balancer mounts the volume.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m bot.runtime.local_cert PATH [hostname ...]", file=sys.stderr)
        return 2
    created = write_self_signed(Path(args[0]), args[1:] or ("localhost",))
    print(("created " if created else "kept ") + args[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
