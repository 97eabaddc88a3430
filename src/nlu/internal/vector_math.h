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

// out[i] = a * x[i] + b * y[i], then turned into a probability distribution
// (softmax). The exponential is a polynomial accurate to about 1e-7 relative,
// which vectorises where std::exp does not.
void WeightedSoftmax(const float* x, const float* y, float a, float b, float* out, size_t n);

}  // namespace candor::nlu::internal
