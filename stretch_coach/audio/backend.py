"""The playsound3 backend: an external program per sound, started and watched off the loop.

For WAVs on the ``alsa`` backend the worker starts ``aplay`` itself rather
than through playsound3: playsound3 starts every program with a
``preexec_fn`` (to ask for a signal when its parent dies), and a
``preexec_fn`` makes :mod:`subprocess` copy the whole process with
``fork()`` instead of using ``vfork()``: 10 to 40 ms per cue in a TUI of
50 MB, against well under 1 ms. What that start gives up: if the coach is
killed outright (SIGKILL), a sound already playing plays on to its end (a
tone lasts under a second, a phrase a few); every other way out stops it.

:class:`Playsound3Player` never blocks: starting a program, and noticing that
it failed, happen on its worker thread. Problems reach the user through the
``on_problem`` callback, at most once, as one line of text; that callback may
be called from the worker thread, so a UI must hand the message over to its
own thread (in Textual, ``App.call_from_thread``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from stretch_coach.audio.base import BasePlayer, OnProblem
from stretch_coach.audio.sounds import is_shipped, sound_file
from stretch_coach.audio.voice import Playback
from stretch_coach.audio.wavs import wav_seconds
from stretch_coach.routine.model import Sound

logger = logging.getLogger(__name__)

#: What to install when no sound player is found (Linux is the only system without one).
NO_PLAYER: Final = "No sound player found (install alsa-utils, gstreamer or ffmpeg)"
#: playsound3 backends that can play our WAVs, most preferred first, with the
#: program each runs (``None``: built into the system, nothing to look for).
#: aplay comes first because it starts fastest (it plays WAV and nothing
#: else), so a tick is heard when it is due; gst-play-1.0 and ffplay load
#: their codec plugins at every start. Unlike playsound3's own check we do not
#: ask for mpg123 beside aplay: that is only needed for MP3.
BACKEND_PROGRAMS: Final[dict[str, str | None]] = {
    "alsa": "aplay",
    "gstreamer": "gst-play-1.0",
    "ffplay": "ffplay",
    "afplay": "afplay",
    "winmm": None,
}


def available_backends() -> list[str]:
    """The playsound3 backends this machine can use for WAVs, best first.

    ``PLAYSOUND3_BACKEND`` in the environment overrides the search (as it does
    in playsound3 itself).
    """
    forced = os.environ.get("PLAYSOUND3_BACKEND", "").strip().lower()
    if forced:
        return [forced]
    found = []
    for backend, program in BACKEND_PROGRAMS.items():
        if program is None:
            if os.name == "nt":
                found.append(backend)
        elif shutil.which(program):
            found.append(backend)
    return found


def _program(backend: str) -> str:
    return BACKEND_PROGRAMS.get(backend) or backend


class _Started:
    """A player program started here; what the worker uses of a playsound3 ``Sound``."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.subprocess = process

    def stop(self) -> None:
        self.subprocess.terminate()


def _start_aplay(aplay: str, path: str) -> _Started:
    """Start ``aplay`` on a WAV, as playsound3 would but without its ``preexec_fn``.

    No ``preexec_fn`` (nor anything else that needs Python in the child) lets
    :mod:`subprocess` start the program with ``vfork()``. Its input is
    ``/dev/null``, not the terminal the coach reads its keys from.
    """
    return _Started(
        subprocess.Popen(
            [aplay, "--quiet", path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )


@dataclass
class _Job:
    """A file for the worker to start."""

    path: Path
    label: str
    trusted: bool  #: a failure means the player is broken, not the file
    queued_at: float
    generation: int
    reply: Future[_Handle | None] | None = None  #: for start_file(); never dropped as stale
    #: A tone due at the same instant as this one, queued just before: this one
    #: starts when that one ends (back to back, never together, never dropped).
    after: _Job | None = None
    length: float = 0.0  #: seconds the file plays
    settled: bool = False  #: started, or dropped
    handle: _Handle | None = None
    give_up: bool = False  #: speech that waited too long for tones to end: dropped


@dataclass
class _Handle:
    """A started playsound3 sound, as :class:`~stretch_coach.audio.voice.Playback`."""

    sound: Any  #: playsound3.playsound3.Sound
    label: str
    trusted: bool
    stopped: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    speech: bool = False  #: a phrase (which a tone cuts short), not a tone
    ends_at: float = 0.0  #: when it will have played its length (player's clock)

    def poll(self) -> int | None:
        return self.sound.subprocess.poll()  # type: ignore[no-any-return]

    def wait(self, timeout: float) -> bool:
        return self.finished.wait(timeout)

    def stop(self) -> None:
        self.stopped = True
        with contextlib.suppress(OSError):
            self.sound.stop()


_CLOSE: Final = object()
#: How often live players are checked for having ended.
_POLL_INTERVAL: Final = 0.02
#: Tones queued within this many seconds of each other were due at the same
#: instant, even without :meth:`~stretch_coach.audio.base.BasePlayer.follow`.
TOGETHER: Final = 0.01
#: Longest a phrase waits for tones to end; past it the phrase is dropped.
SPEECH_WAIT: Final = 4.0
#: Silence a phrase leaves after a tone's end before it starts.
GAP: Final = 0.05


def _silent_wav() -> Path:
    """A 50 ms silent WAV (the cues' format) in a fresh temporary file."""
    fd, name = tempfile.mkstemp(prefix="stretch-coach-probe-", suffix=".wav")
    with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44_100)
        out.writeframes(b"\0\0" * 2205)
    return Path(name)


def _wait_exit(process: Any, timeout: float) -> int | None:
    """The exit status of a Popen-like ``process``, or ``None`` if still running at the deadline."""
    if isinstance(process, subprocess.Popen):
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
    deadline = time.monotonic() + timeout
    while (code := process.poll()) is None and time.monotonic() < deadline:
        time.sleep(_POLL_INTERVAL)  # playsound3's in-process backends cannot be waited on
    return code  # type: ignore[no-any-return]


def _exit_text(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"


class Playsound3Player(BasePlayer):
    """Plays sounds with playsound3, which runs an external program per sound.

    **Never blocking.** :meth:`play` only puts the file on a queue. One
    long-lived worker thread imports playsound3, starts each program and reaps
    it. (A single long-lived thread also matters because playsound3 asks the
    kernel to end a player when the *thread* that started it ends.) Cues that
    waited longer than ``max_delay`` are dropped rather than played late.

    **Noticing failure.** playsound3 raises when it cannot start a program,
    but not when the program starts and then fails (aplay with no sound card
    exits with status 1 at once). So:

    1. At start, in the worker, each candidate backend plays a 50 ms silent
       WAV and must exit with status 0 within ``probe_timeout``; the first that
       does is used. A machine that cannot play is found out before the first
       cue, so that cue goes to the bell instead of being lost.
    2. Afterwards the worker polls every live program and treats a non-zero
       exit (other than our own stop) as a failure, which catches a device
       that goes away mid-session. A failure to play a routine's own WAV is
       only logged: it says more about the file than the player.

    A failure, like playsound3 failing to import, is reported through
    ``on_problem`` once; after it the player plays nothing more (wrap it in
    :class:`FallbackPlayer` to ring the bell instead).
    """

    def __init__(
        self,
        on_problem: OnProblem,
        backends: Sequence[str] | None = None,
        *,
        probe: bool = True,
        probe_timeout: float = 3.0,
        max_delay: float = 0.5,
        on_started: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the player and start its worker (which returns at once).

        Args:
            on_problem: Told once, with one line, when sound cannot be played.
            backends: playsound3 backend names to try in order (default:
                :func:`available_backends`).
            probe: Whether to test the backends with a silent sound first.
            probe_timeout: Seconds a silent test sound may take.
            max_delay: Seconds a cue may wait to be started before it is dropped.
            on_started: Called on the worker thread with a sound's label (name
                or path) right after its program has started; for benchmarks.
            clock: Monotonic time in seconds, for ``max_delay`` (injectable for tests).
        """
        self._on_problem = on_problem
        self._backends = list(available_backends() if backends is None else backends)
        self._backend: str | None = self._backends[0] if self._backends else None
        self._probe = probe
        self._probe_timeout = probe_timeout
        self._max_delay = max_delay
        self._on_started = on_started
        self._clock = clock
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live: list[_Handle] = []
        self._held: list[_Job] = []  # waiting for a tone to end (worker thread only)
        self._last_tone: _Job | None = None
        self._follow = False  # the next tone plays after the last one
        self._tones_until = 0.0  # when the tones started so far will have ended (worker only)
        self._queued = 0  # jobs put but not yet taken by the worker
        self._generation = 0
        self._reported = False
        self._closed = False
        #: Set once the worker has imported playsound3 and chosen a backend.
        self.ready = threading.Event()
        #: True once a failure has been reported; the player then plays nothing.
        self.failed = False
        self._playsound: Callable[..., Any] | None = None
        self._aplay: str | None = None  #: aplay's path, to start it without playsound3
        self._worker = threading.Thread(target=self._run, name="stretch-coach-player", daemon=True)
        self._worker.start()

    @property
    def name(self) -> str:
        """``"playsound3 (PROGRAM)"``, naming the program in use."""
        return f"playsound3 ({_program(self._backend)})" if self._backend else "playsound3"

    @property
    def live_count(self) -> int:
        """How many sounds (cues and speech) are playing now."""
        with self._lock:
            return len(self._live)

    def play(self, sound: Sound) -> None:
        """Queue ``sound`` for the worker and return at once.

        A tone queued right after another (the session fires cues due at the
        same instant together) plays when that one ends, in the order given.
        """
        path = sound_file(sound)
        if path is None or self.failed or self._closed:
            return
        now = self._clock()
        with self._lock:
            last = self._last_tone
            together = self._follow or (last is not None and now - last.queued_at <= TOGETHER)
            self._follow = False
            after = last if together else None
            job = _Job(path, str(sound), is_shipped(sound), now, self._generation, after=after)
            job.length = wav_seconds(path) or 0.0
            self._last_tone = job
            self._queued += 1
        self._jobs.put(job)

    def follow(self) -> None:
        """The next tone is due at the same instant as the last: it plays when that one ends."""
        with self._lock:
            self._follow = True

    @property
    def busy(self) -> bool:
        """Whether a tone or a phrase is playing, or waiting to be started."""
        with self._lock:
            waiting = bool(self._live) or bool(self._held) or self._queued > 0
        # A program may exit before its sound has left the device: count by length too.
        return waiting or self._clock() < self._tones_until or super().busy

    def start_file(self, path: Path, timeout: float = SPEECH_WAIT + 2.0) -> Playback | None:
        """Start playing a WAV we made (speech) and return its playback handle.

        Blocks until the program has started: call it from a background
        thread (the voice's), never from a UI. A failure counts as the
        player's, as for shipped sounds.

        Args:
            path: The WAV file.
            timeout: Seconds to wait for the worker.

        Returns:
            The playback, or ``None`` if it could not start.
        """
        if self.failed or self._closed:
            return None
        reply: Future[_Handle | None] = Future()
        with self._lock:
            generation = self._generation
            self._queued += 1
        self._jobs.put(_Job(path, str(path), True, self._clock(), generation, reply))
        try:
            return reply.result(timeout=timeout)
        except FutureTimeout:
            return None

    def stop(self) -> None:
        """Stop every sound playing now and drop the ones not yet started."""
        super().stop()
        with self._lock:
            self._generation += 1
            live = list(self._live)
        for handle in live:
            handle.stop()

    def close(self) -> None:
        """Stop everything and end the worker."""
        super().close()
        self._closed = True
        self.stop()
        self._jobs.put(_CLOSE)
        if self._worker is not threading.current_thread():
            self._worker.join(timeout=2.0)

    # The worker thread

    def _fail(self, message: str) -> None:
        with self._lock:
            if self._reported:
                return
            self._reported = True
            self.failed = True
        logger.warning("%s", message)
        try:
            self._on_problem(message)
        except Exception:
            logger.exception("on_problem raised")

    def _run(self) -> None:
        try:
            self._start_up()
        finally:
            self.ready.set()
        while True:
            with self._lock:
                busy = bool(self._live) or bool(self._held)
            try:
                job = self._jobs.get(timeout=_POLL_INTERVAL) if busy else self._jobs.get()
            except queue.Empty:
                job = None
            self._reap()
            if job is _CLOSE:
                for held in self._held:
                    if held.reply is not None:
                        held.reply.set_result(None)
                return
            if isinstance(job, _Job):
                with self._lock:
                    self._held.append(job)
                    self._queued -= 1
            self._start_ready()

    def _start_ready(self) -> None:
        """Start every held job whose turn has come, in order (a tone never overtakes a tone)."""
        tone_waiting = False
        for job in list(self._held):
            if job.reply is None and tone_waiting:
                continue
            if not self._may_start(job):
                tone_waiting = tone_waiting or job.reply is None
                continue
            handle = self._start(job)
            with self._lock:
                # Only now: until the sound is live, the job keeps the player busy.
                self._held.remove(job)
            job.handle, job.settled, job.after = handle, True, None
            if job.reply is not None:
                job.reply.set_result(handle)

    def _may_start(self, job: _Job) -> bool:
        """Whether ``job`` may start: a chained tone after the one before, speech after tones."""
        now = self._clock()
        with self._lock:
            stale = job.generation != self._generation
        if stale:
            return True  # _start drops it
        if job.reply is None:
            first = job.after
            if first is None:
                return True
            if not first.settled:
                return False
            # By its length, not its program's exit: that is noticed a poll late.
            ended = first.handle is None or now >= first.handle.ends_at
            if ended:
                job.queued_at = now  # due now: late on purpose, not to be dropped
            return ended
        # A phrase waits for the tones playing or due (bounded; then it is dropped).
        # Until every tone's program has exited and its length has passed (a
        # program starts late, and may exit before its sound has left the device).
        with self._lock:
            tones = any(not h.speech for h in self._live)
        tones = tones or now < self._tones_until + GAP or any(j.reply is None for j in self._held)
        if tones and now - job.queued_at > SPEECH_WAIT:
            job.give_up = True
            return True
        return not tones

    def _start_up(self) -> None:
        if not self._backends:
            self._fail(NO_PLAYER)
            return
        try:
            # playsound3 runs each backend's program at import to see what
            # exists, and may raise there; it logs a warning to stderr when it
            # finds none of its own liking, which would garble a TUI.
            logging.getLogger("playsound3").addHandler(logging.NullHandler())
            from playsound3 import playsound
        except Exception as error:
            self._fail(f"playsound3 could not start ({type(error).__name__}: {error})")
            return
        self._playsound = playsound
        self._aplay = shutil.which("aplay")
        if self._probe:
            self._choose_backend()

    def _choose_backend(self) -> None:
        silence = _silent_wav()
        errors = []
        try:
            for backend in self._backends:
                error = self._try_backend(backend, silence)
                if error is None:
                    self._backend = backend
                    return
                errors.append(error)
        finally:
            silence.unlink(missing_ok=True)
        self._fail(f"Sound player {'; '.join(errors)}")

    def _try_backend(self, backend: str, silence: Path) -> str | None:
        """Play ``silence`` with ``backend``; ``None`` if it worked, else why not."""
        assert self._playsound is not None
        program = _program(backend)
        try:
            sound = self._play(str(silence), backend)
        except Exception as error:
            return f"{program} could not start ({error})"
        code = _wait_exit(sound.subprocess, self._probe_timeout)
        if code is None:
            with contextlib.suppress(OSError):
                sound.stop()
            return f"{program} did not finish a test sound in {self._probe_timeout:g} s"
        if code != 0:
            return f"{program} failed ({_exit_text(code)})"
        return None

    def _play(self, path: str, backend: str | None) -> Any:
        """Start the program that plays ``path``: aplay for a WAV ourselves, else playsound3."""
        if backend == "alsa" and self._aplay is not None and path.lower().endswith(".wav"):
            return _start_aplay(self._aplay, path)
        assert self._playsound is not None
        return self._playsound(path, block=False, backend=backend)

    def _start(self, job: _Job) -> _Handle | None:
        with self._lock:
            current = job.generation == self._generation
        if self.failed or self._playsound is None or not current or job.give_up:
            return None
        if job.reply is None and self._clock() - job.queued_at > self._max_delay:
            logger.info("dropped %s: it would have played too late", job.label)
            return None
        if not job.path.is_file():
            self._file_problem(job, f"sound file not found: {job.path}")
            return None
        # Read before the start: the program may be playing (and the clock
        # moved on) before Popen has returned here.
        started = self._clock()
        try:
            sound = self._play(str(job.path), self._backend)
        except Exception as error:
            self._file_problem(job, f"{_program(self._backend or '')} could not start ({error})")
            return None
        handle = _Handle(sound, job.label, job.trusted, speech=job.reply is not None)
        handle.ends_at = started + (job.length or wav_seconds(job.path) or 0.0)
        if not handle.speech:
            self._tones_until = max(self._tones_until, handle.ends_at)
        with self._lock:
            # A tone never plays under a phrase: a phrase still playing (it
            # started late, or ran long) is cut short.
            cut = [h for h in self._live if h.speech] if not handle.speech else []
            self._live.append(handle)
            stopped = job.generation != self._generation
        for phrase in cut:
            phrase.stop()
        if stopped:  # stop() came while the program was starting
            handle.stop()
        if self._on_started is not None:
            self._on_started(job.label)
        return handle

    def _file_problem(self, job: _Job, message: str) -> None:
        if job.trusted:
            self._fail(f"Sound player {message}")
        else:
            logger.warning("%s", message)

    def _reap(self) -> None:
        with self._lock:
            live = list(self._live)
        for handle in live:
            code = handle.poll()
            if code is None:
                continue
            with self._lock:
                self._live.remove(handle)
            handle.finished.set()
            if code != 0 and not handle.stopped:
                message = f"{_program(self._backend or '')} failed ({_exit_text(code)})"
                if handle.trusted:
                    self._fail(f"Sound player {message}")
                else:
                    logger.warning("%s playing %s", message, handle.label)
