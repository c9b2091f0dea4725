"""The supervision workbench's views, split by domain (see supervision/urls.py):
views_overview, views_notices, views_spotchecks, views_records (criticism, highlights),
views_bulletins."""

from .views_bulletins import bulletin_detail, bulletin_list  # noqa: F401
from .views_notices import notice_detail, notice_list  # noqa: F401
from .views_overview import overview  # noqa: F401
