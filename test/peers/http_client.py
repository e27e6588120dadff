"""Two requests on one connection with Python's http.client (keep-alive), as the course's HTTP
chapter (seed 003) reads a response: status line, headers, body.

    python3 http_client.py HOST PORT PATH [PATH ...]

Prints one JSON line per request: status, reason, the headers, the body's length and text.
"""
import http.client
import json
import sys

conn = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=5)
for path in sys.argv[3:]:
    conn.request('GET', path)
    r = conn.getresponse()
    body = r.read()
    print(json.dumps({'path': path, 'status': r.status, 'reason': r.reason, 'headers': dict(r.getheaders()),
                      'length': len(body), 'text': body.decode('utf-8', 'replace')}), flush=True)
conn.close()
