"""Generic pages: home, section pages and indexes."""

from rest_framework import serializers

from .base import ItemSerializer
from .fields import RichTextField, StreamField


class HomePageSerializer(ItemSerializer):
    intro = RichTextField()
    body = StreamField()


class StandardPageSerializer(ItemSerializer):
    intro = serializers.CharField()
    body = StreamField()


class IndexPageSerializer(ItemSerializer):
    intro = RichTextField()
