#include "nlu/internal/vector_math.h"

#include <cmath>
#include <cstring>

namespace candor::nlu::internal {

// Not under ThreadSanitizer: the clones' ifunc resolver runs while the
// program is being loaded, before the sanitizer's runtime is there.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define CANDOR_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CANDOR_VECTOR_CLONES
#endif

CANDOR_VECTOR_CLONES void AddScaled(float* out, const float* row, float scale, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] += scale * row[i];
}

CANDOR_VECTOR_CLONES void AddScaled(float* out, const int8_t* row, float scale, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] += scale * static_cast<float>(row[i]);
}

namespace {

// e^x for x <= 0: 2^(x log2 e) as 2^integer (the exponent bits) times a
// degree-6 polynomial for 2^fraction on [0, 1).
inline float ExpNonPositive(float x) {
  x = x < -87.0f ? -87.0f : x;
  const float t = x * 1.44269504088896341f;
  const float whole = std::floor(t);
  const float f = t - whole;
  const float p =
      1.0f + f * (0.693147182f +
                  f * (0.240226462f +
                       f * (0.0555041086f +
                            f * (0.00961812911f + f * (0.00133335581f + f * 0.000154035304f)))));
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(whole) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

}  // namespace

CANDOR_VECTOR_CLONES void WeightedSoftmax(const float* x, const float* y, float a, float b,
                                          float* out, size_t n) {
  float best = -3.0e38f;
  for (size_t i = 0; i < n; ++i) {
    out[i] = a * x[i] + b * y[i];
    best = out[i] > best ? out[i] : best;
  }
  float sum = 0;
  for (size_t i = 0; i < n; ++i) {
    out[i] = ExpNonPositive(out[i] - best);
    sum += out[i];
  }
  const float inverse = 1.0f / sum;
  for (size_t i = 0; i < n; ++i) out[i] *= inverse;
}

}  // namespace candor::nlu::internal
