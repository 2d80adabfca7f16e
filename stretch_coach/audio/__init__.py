"""Cue sounds and speech: players, the sounds registry, and the voice.

Nothing here imports Textual; a UI passes its own bell (``ring``) and hands
``on_problem`` messages over to its own thread.
"""

import logging

from stretch_coach.audio.backend import Playsound3Player, available_backends
from stretch_coach.audio.base import BasePlayer, NullPlayer, OnProblem, Player
from stretch_coach.audio.player import (
    AUDIO_CHOICES,
    BellPlayer,
    FallbackPlayer,
    TerminalBell,
    make_player,
)
from stretch_coach.audio.sounds import UnknownSoundError, sound_file
from stretch_coach.audio.voice import Voice, find_renderer

# Problems reach the user through on_problem; the log is for whoever wants
# it, and must not fall through to stderr under a full-screen UI.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AUDIO_CHOICES",
    "BasePlayer",
    "BellPlayer",
    "FallbackPlayer",
    "NullPlayer",
    "OnProblem",
    "Player",
    "Playsound3Player",
    "TerminalBell",
    "UnknownSoundError",
    "Voice",
    "available_backends",
    "find_renderer",
    "make_player",
    "sound_file",
]
