"""FAQ sections and their ordered questions."""

from rest_framework import serializers

from .base import ItemSerializer
from .fields import RichTextField


class FAQQuestionSerializer(serializers.Serializer):
    id = serializers.CharField(source="anchor", help_text="Stable id for deep links (#id).")
    question = serializers.CharField()
    answer = RichTextField()


class FAQSerializer(ItemSerializer):
    intro = serializers.CharField()
    questions = FAQQuestionSerializer(many=True, source="questions.all")
