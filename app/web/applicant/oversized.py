"""An upload too large for the portal to read (over MAX_CONTENT_LENGTH): its refusal still names the file
and keeps the kind chosen, read from the first bytes of the body, where a browser puts the form's fields
and the file's name before its contents. The rest is never read: the web server holds it in a temporary
file (app.runtime.web_server) and drops it with the connection's request.
"""
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Field, File, MultipartDecoder, Preamble

HEAD_BYTES = 64 * 1024  # the fields before a file are a few hundred bytes; a long file name fits many times


def upload_head(environ) -> tuple[dict[str, str], dict[str, str]]:
    """(fields, file names by field) that the body shows before its first file's contents; ({}, {}) for a
    body that is no multipart form, and what was found so far for a malformed one."""
    mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
    if mimetype != "multipart/form-data" or not options.get("boundary"):
        return {}, {}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}, {}
    decoder = MultipartDecoder(options["boundary"].encode("latin-1"), max_form_memory_size=HEAD_BYTES)
    decoder.receive_data(environ["wsgi.input"].read(max(0, min(length, HEAD_BYTES))))
    fields, files, name, value = {}, {}, None, b""
    try:
        while True:
            event = decoder.next_event()
            if isinstance(event, File):
                files[event.name] = event.filename or ""
                return fields, files  # its contents, and whatever follows, stay unread
            if isinstance(event, Field):
                name, value = event.name, b""
            elif isinstance(event, Data):
                value += event.data
                if name is not None and not event.more_data:
                    fields[name], name = value.decode("utf-8", "replace"), None
            elif not isinstance(event, Preamble):
                break  # the head ends (NeedData) or the body does (Epilogue) before any file
    except ValueError:  # a malformed body: what was found so far
        pass
    return fields, files
