// libFuzzer target: the policy reader (toml++ and candor's rule checks) on
// arbitrary text. A policy that reads must decide every fact set with one of
// its own rules, the default rule always last, and explain each rule it tried.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "policy/policy.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using candor::policy::Policy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  candor::Result<Policy> policy = Policy::Parse(text, "fuzz.toml");
  if (!policy.ok()) {
    if (policy.status().message().empty()) Fail("a rejected policy says nothing about why");
    return 0;
  }
  if (policy->rules().empty() || !policy->rules().back().IsDefault()) {
    Fail("a policy that reads has no default rule last");
  }
  // Facts drawn from the rules' own names, so the conditions are exercised.
  candor::policy::Facts facts;
  for (const auto& rule : policy->rules()) {
    for (const auto& condition : rule.conditions) {
      if (!condition.names.empty() && facts.intent.empty()) facts.intent = condition.names.front();
      (void)condition.Describe();
    }
    (void)rule.DescribeConditions();
  }
  for (double confidence : {0.0, 0.49, 0.99}) {
    facts.confidence = confidence;
    facts.distress = 1 - confidence;
    facts.asked_for_person = confidence > 0.5;
    const candor::policy::Decision decision = policy->Decide(facts);
    const auto* rule = policy->FindRule(decision.rule);
    if (rule == nullptr) Fail("the decision names a rule the policy does not have");
    if (rule->action != decision.action) Fail("the decision's action is not its rule's");
    if (decision.trace.empty() || decision.trace.back().rule != decision.rule) {
      Fail("the trace does not end with the deciding rule");
    }
  }
  return 0;
}
