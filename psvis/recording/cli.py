"""``psvis sim``: simulated cameras for trying and testing the recorder.

Needs no configuration, database or system package (the bundled static ffmpeg).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from psvis.recording.sim import ControlServer, Fault, Simulator, parse_bitrate, parse_size


def sim_command(
    base_port: Annotated[
        int,
        typer.Option(min=1, max=65535, help="Port of camera 0; camera i serves on base + i."),
    ],
    cameras: Annotated[int, typer.Option(min=1, max=256, help="Number of cameras.")] = 1,
    size: Annotated[str, typer.Option(help="Picture size, WIDTHxHEIGHT.")] = "640x360",
    fps: Annotated[int, typer.Option(min=1, max=120, help="Frames per second.")] = 25,
    gop: Annotated[int, typer.Option(min=1, help="Keyframe interval in frames.")] = 50,
    bitrate: Annotated[str, typer.Option(help="Video bitrate, e.g. 1M or 512k.")] = "1M",
    control_port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="Port of the fault control endpoint (0: any free)."),
    ] = 0,
) -> None:
    """Run simulated H.264 cameras (MPEG-TS over HTTP on 127.0.0.1) until Ctrl-C.

    Faults: POST http://127.0.0.1:CONTROL/cameras/{i}/fault with {"kind": ...}
    (Content-Type: application/json).
    """
    width, height = parse_size(size)
    simulator = Simulator(
        cameras,
        base_port,
        width=width,
        height=height,
        fps=fps,
        gop=gop,
        bitrate=parse_bitrate(bitrate),
    )
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    control: ControlServer | None = None
    try:
        simulator.start()
        control = ControlServer(simulator, control_port)
        control.start()
        for index, camera in enumerate(simulator.cameras):
            enc = camera.encoding
            typer.echo(
                f"camera {index} {camera.name}: {camera.url} "
                f"({enc.width}x{enc.height} {enc.fps} fps, GOP {enc.gop}, {enc.bitrate} bit/s)"
            )
        typer.echo(f"control: {control.url}/cameras  (POST /cameras/{{i}}/fault)")
        typer.echo(f"faults: {', '.join(f.value for f in Fault)}")
        typer.echo("Ctrl-C to stop")
        while not done.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if control is not None:
            control.stop()
        simulator.stop()
        typer.echo("stopped")


def register(app: typer.Typer) -> None:
    """Attach ``psvis sim`` (errors shown like every other command's)."""
    from psvis.cli.main import clear_errors

    app.command("sim")(clear_errors(sim_command))
