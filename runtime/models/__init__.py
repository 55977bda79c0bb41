"""The models: what describes them and what runs them (no TensorFlow).

formats       the one table of artifacts: file names, backends, the accuracy contract
metadata      what an exported model carries (its input convention, classes, float predictions)
provenance    where a result came from: package versions and the command line
tflite_graph  what a TFLite model computes, read from its flatbuffer
classifier    runs a model (LiteRT, tflite-runtime or onnxruntime): images -> probabilities
rejector      the not-a-digit model, run like the classifier
auto          --model auto: the artifact this CPU runs best
"""
