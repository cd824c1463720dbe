"""Real voices for the read-aloud tests: a private speech-dispatcher with espeak-ng, playing in real time into
a null PulseAudio sink whose sound is recorded, so a test can tell that speech was made.

What /work/shared/tools/speech-env.sh does with PACED=1, as a fixture the suite starts and stops itself. It
needs Debian's speech-dispatcher, speech-dispatcher-espeak-ng, espeak-ng, pulseaudio and pulseaudio-utils
(scripts/test installs them). Chromium must be launched with --enable-speech-dispatcher and this
environment (SPEECHD_ADDRESS, HOME, XDG_RUNTIME_DIR).

Real time matters: unpaced, espeak-ng speaks 20 s of text in about 4 s, so a click meant for one sentence
lands on another. Paced, a sentence lasts 2–8 s.
"""

from __future__ import annotations

import array
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PROGRAMS = {
    "speech-dispatcher": "speech-dispatcher",
    "espeak-ng": "espeak-ng",
    "pulseaudio": "pulseaudio",
    "parec": "pulseaudio-utils",
}
SAMPLE_RATE = 22050
SINK = "reader_tts"


def missing_packages() -> list[str]:
    packages = [package for program, package in PROGRAMS.items() if shutil.which(program) is None]
    if not Path("/usr/lib/speech-dispatcher-modules/sd_espeak-ng").exists():
        packages.append("speech-dispatcher-espeak-ng")
    return packages


class SpeechEnvironment:
    """PulseAudio with a null sink, and speech-dispatcher speaking into it, under a throwaway directory."""

    def __init__(self, base: Path) -> None:
        self.base = base
        home, runtime = base / "home", base / "run"
        home.mkdir()
        (runtime / "speech-dispatcher").mkdir(parents=True)
        runtime.chmod(0o700)
        self.socket = runtime / "speech-dispatcher" / "speechd.sock"
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(runtime),
            "SPEECHD_ADDRESS": f"unix_socket:{self.socket}",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        config = base / "speechd"
        shutil.copytree("/etc/speech-dispatcher", config)
        with (config / "speechd.conf").open("a") as conf:
            conf.write('\nAudioOutputMethod "pulse"\n')
        self.log = (base / "services.log").open("wb")
        try:
            self._start(
                ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
                 "-L", "module-native-protocol-unix", "-L", f"module-null-sink sink_name={SINK}",
                 "-L", "module-always-sink"],
                lambda: subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0,
            )  # fmt: skip
            self._start(
                ["speech-dispatcher", "-s", "-t", "0", "-C", str(config), "-c", "unix_socket",
                 "-S", str(self.socket), "-L", str(base)],
                self.socket.exists,
            )  # fmt: skip
        except BaseException:
            self.stop()
            raise

    def _start(self, command: list[str], ready: Callable[[], bool]) -> None:
        process = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        deadline = time.monotonic() + 20
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start; see {self.base / 'services.log'}")
            time.sleep(0.05)

    @contextlib.contextmanager
    def recording(self) -> Iterator[Path]:
        """Record what the voices play (the null sink's monitor) into a raw 16-bit mono file."""
        path = self.base / f"recording-{time.monotonic_ns()}.raw"
        with path.open("wb") as output:
            recorder = subprocess.Popen(
                ["parec", "-d", f"{SINK}.monitor", "--raw", "--format=s16le", f"--rate={SAMPLE_RATE}", "--channels=1"],
                env=self.env,
                stdout=output,
                stderr=self.log,
            )
            try:
                yield path
            finally:
                recorder.send_signal(signal.SIGINT)
                try:
                    recorder.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    recorder.kill()
                    recorder.wait()

    def stop(self) -> None:
        # speech-dispatcher can ignore TERM while its audio server is gone: TERM, then KILL what is left.
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self.log.close()


def seconds_of_sound(path: Path, threshold: int = 500) -> float:
    """How much of a recording is not silence, in seconds."""
    samples = array.array("h")
    data = path.read_bytes()
    samples.frombytes(data[: len(data) // 2 * 2])
    return sum(1 for sample in samples if abs(sample) > threshold) / SAMPLE_RATE


@pytest.fixture(scope="module")
def speech_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechEnvironment]:
    missing = missing_packages()
    if missing:
        pytest.fail(
            "real voices need Debian packages (scripts/test installs them): apt-get install -y " + " ".join(missing)
        )
    environment = SpeechEnvironment(tmp_path_factory.mktemp("speech"))
    try:
        yield environment
    finally:
        environment.stop()


# A STUB, for the accessibility matrix only (test_a11y_matrix.py): one made-up Vietnamese voice, so that the
# read-aloud controls are shown at every point of the matrix without a speech engine; nothing is spoken.
# Speech itself is tested with real voices (test_read_aloud.py).
FAKE_VOICES = """
(() => {
  const voices = [{name: 'Matrix stub voice', lang: 'vi-VN', localService: true, default: true, voiceURI: 'stub'}];
  speechSynthesis.getVoices = () => voices;
})();
"""
