"""What editors edit: the page types of the ISECG site.

One module per content domain; each page type keeps its fields, panels and search fields
together. What the delivery API serves of them is declared by its serializers, not here.
"""

from .base import ContentPage
from .faq import FAQIndexPage, FAQPage, FAQQuestion
from .home import HomePage, StandardPage
from .members import MemberProfilePage, MembersIndexPage
from .roadmap import RoadmapIndexPage, RoadmapReleasePage

__all__ = [
    "ContentPage",
    "FAQIndexPage",
    "FAQPage",
    "FAQQuestion",
    "HomePage",
    "MemberProfilePage",
    "MembersIndexPage",
    "RoadmapIndexPage",
    "RoadmapReleasePage",
    "StandardPage",
]
