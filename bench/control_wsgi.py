"""bench-web's control: a bare WSGI application (no Django, no middleware, no database) that
answers as /robots.txt does. Served by the same gunicorn with the same settings and loaded by the
same wrk, it shows what the machine and the method give an application that does nothing: the
floor under every figure bench-web prints, the p99 ÷ median above all."""

BODY = b"User-agent: *\nDisallow: /\n"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
