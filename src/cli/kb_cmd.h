// `candor kb eval`: search and abstention measured as the pipeline runs them.
#pragma once

#include <string>

#include "cli/config.h"

namespace candor {

// With `details`, one JSON line per question (its verdict, confidence and
// evidence) comes before the figures.
int RunKbEval(const Config& config, const std::string& questions, bool json, bool details);

}  // namespace candor
