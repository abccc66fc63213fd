"""Drives a running LibreOffice (started by test/support/libreoffice.ts) through UNO, as a lawyer would
drive Word: open a DOCX, record changes, edit, comment, save; or convert to PDF; or list the tracked
changes of a file. Usage: python3 libreoffice_uno.py <pipe name> <command> <JSON arguments>
(command: ready, edit, pdf or tracked-changes). Prints one JSON object."""

import json
import re
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name = name
    item.Value = value
    return item


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.25)


def open_document(context, path, view):
    """With a (hidden) view to lay the document out for PDF; without one to edit it: the headless
    (nogui) LibreOffice has no windows for comments, and editing through the model is what a macro does."""
    if view:
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        return desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True),))
    document = context.ServiceManager.createInstanceWithContext("com.sun.star.text.TextDocument", context)
    document.load((prop("URL", uno.systemPathToFileUrl(path)), prop("FilterName", "MS Word 2007 XML")))
    return document


def find(document, pattern):
    """The first match of a regular expression in any paragraph (a lookahead keeps context out of the
    match), as a text range. The model has no view, so LibreOffice's own search (which needs one) is not
    used: the paragraph's text is matched here and a cursor walked to the match."""
    expression = re.compile(pattern)
    for paragraph in paragraphs(document.getText()):
        match = expression.search(paragraph.getString())
        if match:
            cursor = paragraph.getText().createTextCursorByRange(paragraph.getStart())
            cursor.goRight(match.start(), False)
            cursor.goRight(match.end() - match.start(), True)
            return cursor
    raise SystemExit(f"not found in the document: {pattern}")


def edit(document, arguments):
    document.RecordChanges = True
    for change in arguments.get("replace", []):
        find(document, change["find"]).setString(change["with"])
    for change in arguments.get("insertAfter", []):
        found = find(document, change["find"])
        text = found.getText()
        cursor = text.createTextCursorByRange(found.getEnd())
        text.insertString(cursor, change["text"], False)
    for comment in arguments.get("comment", []):
        found = find(document, comment["find"])
        annotation = document.createInstance("com.sun.star.text.textfield.Annotation")
        annotation.Author = comment.get("author", "LibreOffice")
        annotation.Content = comment["text"]
        found.getText().insertTextContent(found, annotation, True)
    document.storeToURL(uno.systemPathToFileUrl(arguments["out"]), (prop("FilterName", "MS Word 2007 XML"),))
    return {"saved": arguments["out"]}


def paragraphs(text):
    """Every paragraph of a text, the paragraphs of its tables' cells too, in reading order."""
    enumeration = text.createEnumeration()
    while enumeration.hasMoreElements():
        element = enumeration.nextElement()
        if element.supportsService("com.sun.star.text.TextTable"):
            for name in element.getCellNames():
                yield from paragraphs(element.getCellByName(name).getText())
        else:
            yield element


def tracked_changes(document):
    """Each tracked change as LibreOffice reads it: type, author, date and the text it covers."""
    changes = []
    for paragraph in paragraphs(document.getText()):
        portions = paragraph.createEnumeration()
        current = None
        while portions.hasMoreElements():
            portion = portions.nextElement()
            if portion.TextPortionType == "Redline":
                if portion.IsStart:
                    at = portion.RedlineDateTime
                    date = f"{at.Year:04}-{at.Month:02}-{at.Day:02}T{at.Hours:02}:{at.Minutes:02}:{at.Seconds:02}"
                    current = {"type": portion.RedlineType, "author": portion.RedlineAuthor, "date": date, "text": ""}
                    changes.append(current)
                else:
                    current = None
            elif current is not None:
                current["text"] += portion.getString()
    return changes


def main():
    pipe, command, arguments = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    context = connect(pipe)
    if command == "ready":
        # Answering through the desktop, not only the bridge, is what shows the office has started.
        context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        print(json.dumps({"ready": True}))
        return
    document = open_document(context, arguments["in"], view=command == "pdf")
    try:
        if command == "edit":
            result = edit(document, arguments)
        elif command == "pdf":
            document.storeToURL(uno.systemPathToFileUrl(arguments["out"]), (prop("FilterName", "writer_pdf_Export"),))
            result = {"saved": arguments["out"]}
        elif command == "tracked-changes":
            result = {"changes": tracked_changes(document)}
        else:
            raise SystemExit(f"unknown command {command}")
    finally:
        document.close(True)
    print(json.dumps(result, ensure_ascii=False))


main()
