"""The live view: the annotated stream, the stable reading and a drawing pad over HTTP.

Standard library only, so a Raspberry Pi needs nothing more; the page is package data (static/).
One job per module:
  slot         the newest frame and reading, from the reader to every viewer (encoded once)
  server       where it listens, its token, its connections and viewers (LiveServer)
  handler      which requests are answered (method, Host, token, origin, bodies), and by which route
  routes       the page, /info, /reading, /snapshot.jpg and the pad's POST /read
  stream       /stream.mjpg, repeating the last frame when no new one comes
  hosts        the Host names it answers, writes from its own page only
  connections  idle connections cannot lock anyone out
  options      the command-line flags runtime.webcam --serve and runtime.serve share
"""

from runtime.live.server import LiveServer, announce, parse_bind
from runtime.live.slot import JPEG_QUALITY, STREAM_FPS, FrameSlot

__all__ = ["JPEG_QUALITY", "STREAM_FPS", "FrameSlot", "LiveServer", "announce", "parse_bind"]
