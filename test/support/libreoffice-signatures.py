"""Asks LibreOffice (through UNO) what it thinks of each PDF's signatures.

Usage: /usr/bin/python3 libreoffice-signatures.py PROFILE_DIR FILE...
Prints one JSON line per file: a list of {"valid": bool, "partial": bool}, one per signature, as
LibreOffice's DocumentDigitalSignatures service reports them (PartialDocumentSignature is what its
signature bar calls "partially signed").
"""
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.connection import NoConnectException

profile, files = sys.argv[1], sys.argv[2:]
pipe = "bilateral_signatures_%d" % os.getpid()
office = subprocess.Popen(
    ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
     "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(profile)),
     "--accept=pipe,name=%s;urp;" % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    context = None
    for _ in range(600):
        try:
            context = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            time.sleep(0.1)
    if context is None:
        sys.exit("LibreOffice did not start")
    services = context.ServiceManager
    files_access = services.createInstanceWithContext("com.sun.star.ucb.SimpleFileAccess", context)
    signatures = services.createInstanceWithContext("com.sun.star.security.DocumentDigitalSignatures", context)
    for path in files:
        stream = files_access.openFileRead(uno.systemPathToFileUrl(os.path.abspath(path)))
        try:
            found = signatures.verifyDocumentContentSignatures(None, stream)
            print(json.dumps([{"valid": info.SignatureIsValid, "partial": info.PartialDocumentSignature} for info in found]))
        finally:
            stream.closeInput()
finally:
    office.terminate()
    office.wait()
