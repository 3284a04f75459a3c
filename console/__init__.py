"""The OCOP console (*Bảng điều khiển OCOP*): the web pages of the provincial office, district officers and operators.

A process of its own (``ocop serve console``, started by ``make run``): it holds a signed session cookie with the
person's bearer token and reads only through the four services' public HTTP APIs with that token, so every page shows
exactly what the person may read, and the console owns no data. Pages are rendered on the server (Jinja2); a small
script of its own refreshes the live parts by polling. Every asset is served by the console itself.
"""
