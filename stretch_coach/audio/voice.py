"""Spoken step names and prompts, rendered to cached WAVs by a speech engine.

A phrase is rendered once by espeak-ng, espeak or macOS ``say`` into
``cache_dir()/speech/<hash>.wav`` and then played through the sound player's
speech channel: its own process, one phrase at a time, so a countdown tick
(another process) is never delayed or cut by a long phrase. Rendering and
waiting happen on the voice's own thread, never on the caller's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Final, Protocol

from stretch_coach import paths
from stretch_coach.audio.wavs import trim_trailing_silence

logger = logging.getLogger(__name__)

#: How long a speech engine may take to render one phrase.
RENDER_TIMEOUT: Final = 30.0


class Playback(Protocol):
    """A sound that has started playing."""

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; return whether playback has ended."""
        ...

    def stop(self) -> None:
        """Stop playing now."""
        ...


#: Starts playing a WAV file; returns ``None`` when it could not.
PlayFile = Callable[[Path], "Playback | None"]


class Renderer(Protocol):
    """A speech engine that turns text into a WAV file."""

    #: A short name for messages, e.g. ``"espeak-ng"``.
    name: str
    #: Identifies the engine and its settings; part of each cached file's name,
    #: so changing the voice or rate does not replay stale files.
    key: str

    def render(self, text: str, out: Path) -> None:
        """Write ``text`` spoken as a WAV file to ``out``.

        Raises:
            OSError: The engine could not run.
            subprocess.SubprocessError: It failed or took too long.
        """
        ...


class CommandRenderer:
    """A renderer that runs a program with the text on its standard input."""

    def __init__(self, name: str, argv: list[str]) -> None:
        """Create a renderer.

        Args:
            name: Shown in messages.
            argv: The command; the item ``"{out}"`` is replaced by the output path.
        """
        self.name = name
        self.argv = argv
        self.key = " ".join(argv)

    def render(self, text: str, out: Path) -> None:
        """Run the command; see :meth:`Renderer.render`."""
        argv = [str(out) if arg == "{out}" else arg for arg in self.argv]
        # Text goes through stdin, never argv: a phrase starting with "-"
        # cannot be taken for an option.
        subprocess.run(
            argv,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=RENDER_TIMEOUT,
            check=True,
        )


def espeak_renderer(program: str = "espeak-ng") -> CommandRenderer:
    """espeak-ng (or classic espeak): a calm rate and a level near the cues'.

    Args:
        program: ``"espeak-ng"`` or ``"espeak"`` (both take the same options).
    """
    # -s 140: slower than the default 175 words a minute, for a tired listener.
    # -a 70: at the default 100 speech is about twice as loud (RMS) as the cues.
    argv = [program, "-b", "1", "-v", "en", "-s", "140", "-a", "70", "-w", "{out}", "--stdin"]
    return CommandRenderer(program, argv)


def say_renderer() -> CommandRenderer:
    """macOS ``say``, writing 16-bit PCM WAV."""
    argv = ["say", "-r", "160", "-o", "{out}", "--file-format=WAVE",
            "--data-format=LEI16@22050", "-f", "-"]  # fmt: skip
    return CommandRenderer("say", argv)


def find_renderer() -> Renderer | None:
    """The first speech engine on this machine: espeak-ng, espeak, then macOS ``say``."""
    for program in ("espeak-ng", "espeak"):
        if shutil.which(program):
            return espeak_renderer(program)
    if sys.platform == "darwin" and shutil.which("say"):
        return say_renderer()
    return None


class _Detect:
    """Marker: find the renderer on this machine."""


#: Default for :class:`Voice`'s ``renderer``: use :func:`find_renderer`.
DETECT: Final = _Detect()


class Voice:
    """Speaks phrases through a player's speech channel, one at a time.

    ``say()`` returns at once. Phrases wait in a small queue while one is
    playing; when more than ``max_pending`` wait, the oldest are dropped, since
    a coach that is still announcing the last step is worse than silence.
    Without a speech engine ``available`` is False and ``say()`` does nothing.
    """

    def __init__(
        self,
        play_file: PlayFile,
        *,
        renderer: Renderer | _Detect | None = DETECT,
        cache: Path | None = None,
        max_pending: int = 3,
    ) -> None:
        """Create a voice.

        Args:
            play_file: Starts a WAV on the speech channel, e.g.
                :meth:`~stretch_coach.audio.player.Playsound3Player.start_file`.
                Called on the voice's thread.
            renderer: The speech engine; by default the one :func:`find_renderer`
                finds; ``None`` for no speech.
            cache: Folder of rendered phrases (default ``cache_dir()/speech``).
            max_pending: How many phrases may wait behind the one playing.
        """
        self._play_file = play_file
        self.renderer: Renderer | None = (
            find_renderer() if isinstance(renderer, _Detect) else renderer
        )
        self._cache = cache
        self._max_pending = max_pending
        self._pending: deque[str] = deque()
        self._cond = threading.Condition()
        self._generation = 0
        self._current: Playback | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._speaking = False  # a phrase taken from the queue is being rendered or played
        #: How many phrases were dropped because the queue was full.
        self.dropped = 0

    @property
    def available(self) -> bool:
        """Whether this voice can speak (a speech engine exists and it is open)."""
        return self.renderer is not None and not self._closed

    @property
    def busy(self) -> bool:
        """Whether a phrase is waiting, being rendered or playing."""
        with self._cond:
            return bool(self._pending) or self._speaking

    @property
    def cache(self) -> Path:
        """The folder of rendered phrases."""
        if self._cache is None:
            self._cache = paths.cache_dir() / "speech"
        return self._cache

    def cache_path(self, text: str) -> Path:
        """The cached WAV file for ``text`` (whether or not it exists yet)."""
        key = self.renderer.key if self.renderer is not None else ""
        digest = hashlib.sha256(f"{key}\n{text}".encode()).hexdigest()[:32]
        return self.cache / f"{digest}.wav"

    def say(self, text: str) -> None:
        """Queue ``text`` to be spoken; returns at once.

        Args:
            text: The phrase; blank text is ignored.
        """
        text = text.strip()
        if not text or not self.available:
            return
        with self._cond:
            self._pending.append(text)
            while len(self._pending) > self._max_pending:
                stale = self._pending.popleft()
                self.dropped += 1
                logger.debug("speech queue full; dropped %r", stale)
            self._ensure_thread()
            self._cond.notify_all()

    def prerender(self, texts: Iterable[str]) -> Future[int]:
        """Render phrases into the cache in the background, so they start at once later.

        Args:
            texts: Phrases the session will say (duplicates and blanks are skipped).

        Returns:
            A future giving how many phrases were newly rendered.
        """
        future: Future[int] = Future()
        wanted = list(dict.fromkeys(t.strip() for t in texts if t.strip()))
        if not self.available or not wanted:
            future.set_result(0)
            return future

        def work() -> None:
            rendered = 0
            for text in wanted:
                if self._closed:
                    break
                if not self.cache_path(text).is_file() and self._render(text) is not None:
                    rendered += 1
            future.set_result(rendered)

        threading.Thread(target=work, name="stretch-coach-prerender", daemon=True).start()
        return future

    def stop(self) -> None:
        """Silence the phrase playing now and forget the waiting ones."""
        with self._cond:
            self._pending.clear()
            self._generation += 1
            current = self._current
        if current is not None:
            current.stop()

    def close(self) -> None:
        """Stop speaking and end the voice's thread."""
        self.stop()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._speak_loop, name="stretch-coach-voice", daemon=True
            )
            self._thread.start()

    def _render(self, text: str) -> Path | None:
        """The cached file for ``text``, rendering it first if needed (blocking)."""
        path = self.cache_path(text)
        if path.is_file():
            return path
        renderer = self.renderer
        if renderer is None:
            return None
        # Render beside the final name and rename: a half-written file is never
        # played, and two threads rendering the same phrase do not clash.
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.wav")
        try:
            paths.ensure_dir(path.parent)
            renderer.render(text, tmp)
            if not tmp.is_file() or tmp.stat().st_size <= 44:
                raise OSError(f"{renderer.name} wrote no audio")
            trim_trailing_silence(tmp)  # its length is then the time it speaks
            os.replace(tmp, path)
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("%s could not render %r: %s", renderer.name, text, error)
            tmp.unlink(missing_ok=True)
            return None
        return path

    def _speak_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                text = self._pending.popleft()
                generation = self._generation
                self._speaking = True
            try:
                self._speak(text, generation)
            finally:
                with self._cond:
                    self._speaking = False

    def _speak(self, text: str, generation: int) -> None:
        """Render ``text`` if need be and play it to its end (on the voice's thread)."""
        path = self._render(text)
        if path is None or self._generation != generation:
            return  # stopped while rendering: the phrase is stale
        playback = self._play_file(path)
        if playback is None:
            return
        with self._cond:
            self._current = playback
            stopped = self._generation != generation
        if stopped:  # stop() came while the player was starting
            playback.stop()
        while not playback.wait(0.1):
            if self._closed:
                playback.stop()
                break
        with self._cond:
            self._current = None
