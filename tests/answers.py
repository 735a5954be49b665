"""Questionnaire answers the matching tests share: two mentees and two mentors who fit in pairs
(the maths lover with the maths mentor, the artist with the art mentor)."""

from __future__ import annotations

# Answers by question id of the built-in student questionnaires.
MATH_LOVER = {
    "interests": ["sport", "music", "programming"],
    "subjects_help": ["math"],
    "math_topics": ["equations"],
    "goals": ["grades"],
    "profile": "struggling",
    "activity": 3,
    "meeting_format": ["offline"],
    "times": ["after_lessons"],
    "has_ovz": True,
    "ovz_support": ["quiet_place"],
}
ARTIST = {
    "interests": ["art", "theatre"],
    "subjects_help": ["literature"],
    "goals": ["project"],
    "profile": "gifted",
    "activity": 4,
    "meeting_format": ["online"],
    "times": ["saturday"],
    "has_ovz": False,
}
MATH_MENTOR = {
    "subjects_strong": ["math", "physics"],
    "achievements": False,
    "interests": ["sport", "music", "programming"],
    "can_help": ["grades", "exams"],
    "mentee_profiles": ["struggling"],
    "capacity": 1,
    "meeting_format": ["offline"],
    "availability": ["after_lessons"],
    "support_ready": ["quiet_place"],
    "start_date": "2026-12-01",
    "motivation": "help",
}
ART_MENTOR = {
    **MATH_MENTOR,
    "subjects_strong": ["literature"],
    "interests": ["art", "theatre"],
    "can_help": ["project"],
    "mentee_profiles": ["gifted"],
    "meeting_format": ["online"],
    "availability": ["saturday"],
    "support_ready": [],
}
