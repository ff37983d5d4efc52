"""Certificates made with the openssl command for the TLS tests, and what a server serves.

Every helper runs `openssl` (a missing binary fails the test) in a folder of the test's own."""
from __future__ import annotations

import hashlib
import re
import ssl
import subprocess
from pathlib import Path


def openssl(*args: str, cwd: Path, input: bytes = b"") -> subprocess.CompletedProcess:
    r = subprocess.run(["openssl", *args], cwd=cwd, input=input, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed:\n{r.stdout.decode()}\n{r.stderr.decode()}")
    return r


def make_key(folder: Path, name: str, kind: str = "ec") -> Path:
    key = folder / f"{name}.key"
    spec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"] if kind == "ec" else \
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    openssl("genpkey", *spec, "-out", str(key), cwd=folder)
    return key


def make_server_pair(folder: Path, name: str, kind: str = "ec", key: Path | None = None) -> tuple[Path, Path]:
    """A self-signed server certificate for 127.0.0.1 (with a new key, or `key`)."""
    key = key or make_key(folder, name, kind)
    cert = folder / f"{name}.pem"
    openssl("req", "-x509", "-new", "-key", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", cwd=folder)
    return cert, key


def make_ca(folder: Path, name: str) -> tuple[Path, Path]:
    key = make_key(folder, name)
    cert = folder / f"{name}.pem"
    openssl("req", "-x509", "-new", "-key", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            cwd=folder)
    return cert, key


def make_client_cert(folder: Path, ca: tuple[Path, Path], name: str, email: str | None = None,
                     cn: str | None = None) -> tuple[Path, Path]:
    """A client certificate signed by `ca`: subject CN `cn` (default `name`), SAN email `email`."""
    key = make_key(folder, name)
    csr = folder / f"{name}.csr"
    openssl("req", "-new", "-key", str(key), "-out", str(csr), "-subj", f"/CN={cn or name}", cwd=folder)
    ext = folder / f"{name}.ext"
    lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth"]
    if email:
        lines.append(f"subjectAltName=email:{email}")
    ext.write_text("\n".join(lines) + "\n")
    cert = folder / f"{name}.pem"
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
            "-out", str(cert), "-days", "2", "-extfile", str(ext), cwd=folder)
    return cert, key


def fingerprint_of_der(der: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def fingerprint(pem: Path) -> str:
    return fingerprint_of_der(ssl.PEM_cert_to_DER_cert(pem.read_text()))


def served_fingerprint(port: int, *client_args: str, folder: Path) -> str:
    """The SHA-256 fingerprint of the certificate `openssl s_client` with these options is served."""
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-showcerts", *client_args],
                       cwd=folder, input=b"", capture_output=True, timeout=30)
    out = r.stdout.decode("latin-1")
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    assert m, f"no certificate from s_client {' '.join(client_args)} (status {r.returncode}):\n{out}\n" \
        f"{r.stderr.decode('latin-1')}"
    return fingerprint_of_der(ssl.PEM_cert_to_DER_cert(m.group(0)))


def client_context(*cafiles: Path, cert: tuple[Path, Path] | None = None,
                   rsa_only: bool = False) -> ssl.SSLContext:
    """A client context trusting `cafiles`, presenting `cert` if given; `rsa_only`: TLS 1.2 with an
    ECDHE-RSA suite, so that only an RSA server certificate will do."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    for cafile in cafiles:
        ctx.load_verify_locations(cafile=str(cafile))
    if cert:
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    if rsa_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
    return ctx
