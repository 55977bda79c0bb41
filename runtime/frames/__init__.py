"""Frames in and out of the commands.

sources   a camera, a video file or the Pi camera, opened by name (--camera, --video)
capture   a thread reading the source, each frame stamped as it is read
pace      frames per second and the reader's time per frame, labelled
decode    images from outside (files, the drawing pad's POST), their size checked first
sink      --save FILE: the annotated video, renamed into place when complete
"""
