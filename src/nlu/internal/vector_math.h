// The inner loops of a prediction: adding a scaled row to a vector of label
// scores. Built twice, for AVX2 and for any x86-64, and picked when the
// program loads, so one binary is fast on new machines and runs on old ones.
#pragma once

#include <cstddef>
#include <cstdint>

namespace candor::nlu::internal {

// out[i] += scale * row[i] for i < n.
void AddScaled(float* out, const float* row, float scale, size_t n);
void AddScaled(float* out, const int8_t* row, float scale, size_t n);

}  // namespace candor::nlu::internal
