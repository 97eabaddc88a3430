// `candor kb eval`: search and abstention measured as the pipeline runs them.
#pragma once

#include <string>

#include "cli/config.h"

namespace candor {

int RunKbEval(const Config& config, const std::string& questions, bool json);

}  // namespace candor
