"""The portal: the people's web pages, server-rendered in Kazakh, Russian and English.

It reads and writes only through the services' public HTTP APIs and keeps no data of its
own. This first part is the public site: the contests, a contest's page and the exhibition.
"""
