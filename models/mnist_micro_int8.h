// mnist_micro_int8.tflite: TFLite Micro int8, a CNN for microcontrollers (<= 32 KiB).
// Written by `python -m export.micro`; do not edit. Source model mnist_micro.keras
// (SHA-256 0eb2d5f7c2787ae4...), 30,384 bytes.
//
// Accuracy on all 10,000 MNIST test images: 99.54% under TensorFlow Lite
// Micro's reference kernels, 99.54% in LiteRT; the float model
// 99.56%. Contract: >= 99.50%, within 0.10 pts of mnist_micro.keras.
//
// Register exactly these operators (5):
//   static tflite::MicroMutableOpResolver<5> resolver;
//   resolver.AddConv2D();
//   resolver.AddMaxPool2D();
//   resolver.AddReshape();
//   resolver.AddFullyConnected();
//   resolver.AddSoftmax();
//
// Tensor arena: 23,504 bytes measured under TFLM (x86_64, reference kernels);
// kMnistMicroInt8ArenaSize adds a margin for optimized kernels' scratch buffers (CMSIS-NN, ESP-NN).
//
// Input: int8 [1, 28, 28, 1], a 28x28 MNIST-normalised digit (white on black, x in [0, 1]):
//   q = round(x / kMnistMicroInt8InputScale) + kMnistMicroInt8InputZeroPoint, clamped to [-128, 127].
// Output: int8 [1, 10], probabilities of the digits 0-9:
//   p = (q - kMnistMicroInt8OutputZeroPoint) * kMnistMicroInt8OutputScale.
#ifndef MNIST_MICRO_INT8_H_
#define MNIST_MICRO_INT8_H_

extern const unsigned char g_mnist_micro_int8_model[];
extern const unsigned int g_mnist_micro_int8_model_len;

constexpr int kMnistMicroInt8ArenaSize = 29696;
constexpr float kMnistMicroInt8InputScale = 0.003921568859368563f;
constexpr int kMnistMicroInt8InputZeroPoint = -128;
constexpr float kMnistMicroInt8OutputScale = 0.00390625f;
constexpr int kMnistMicroInt8OutputZeroPoint = -128;

#endif  // MNIST_MICRO_INT8_H_
