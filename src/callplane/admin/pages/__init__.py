"""The console's pages, one module per feature: each parses the form or query, calls one service
(the same as the API's, or the console's own in admin/reports.py and admin/actions.py) and
renders its template. The plumbing they share (session, CSRF, tenant pages, flashes) is admin/web.py.
"""
