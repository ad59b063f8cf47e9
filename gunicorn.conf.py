"""Gunicorn settings read from the working directory (bin/run and the service units start there).

The access log leaves out query strings and the referrer: a query string may carry personal data
(a search by ID number, a token), and the access log is kept longer and read by more people than
the application's own audit log. The path, method, status and size are what operations need.
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
