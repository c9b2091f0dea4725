"""Real readers for the documents the tests make: LibreOffice prints a file to PDF, read back with
pypdf (the tests of the bulletin's files and of their fit on paper)."""

import shutil
import subprocess

from pypdf import PdfReader

from tests.conftest import _unavailable


def libreoffice_pdf(data: bytes, name: str, tmp_path) -> PdfReader:
    """The file as LibreOffice prints it (headless conversion to PDF), read back with pypdf."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        _unavailable("LibreOffice (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    source = tmp_path / name
    source.write_bytes(data)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    return PdfReader(str(source.with_suffix(".pdf")))
