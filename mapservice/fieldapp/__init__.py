"""The field app at ``/erfassen``: a mobile-first, offline-first page for Quartiersbegehungen.

A field team signs in with a field token, picks a quarter and a walkthrough, and logs
observations (point, line or area; layer, kind, rating, text, photos) and the GPS track. Every
entry is stored on the phone first (IndexedDB) and sent by a queue that retries with backoff;
the field API's idempotent create makes every retry safe. See ``static/`` for the JavaScript
modules and ``shell.py`` for what the service worker keeps offline.
"""

from mapservice.fieldapp.routes import router

__all__ = ["router"]
