#include "nlu/internal/vector_math.h"

namespace candor::nlu::internal {

#if defined(__x86_64__) && defined(__GNUC__)
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

}  // namespace candor::nlu::internal
