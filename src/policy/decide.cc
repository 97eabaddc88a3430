// Deciding: the rules tried in order against the facts, each with the why of
// its outcome, so that every routing decision can be explained (P3).
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "policy/policy.h"

namespace candor::policy {
namespace {

struct Outcome {
  bool holds = false;
  std::string why;
};

bool Listed(const std::vector<std::string>& names, std::string_view value) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

Outcome NameIs(std::string_view what, const std::vector<std::string>& names,
               const std::string& value) {
  if (value.empty()) return {false, fmt::format("no {}", what)};
  const bool holds = Listed(names, value);
  return {holds, fmt::format("{} {} is {}listed", what, value, holds ? "" : "not ")};
}

Outcome Test(const Condition& condition, const Facts& facts) {
  switch (condition.kind) {
    case Condition::Kind::kIntents:
      return NameIs("intent", condition.names, facts.intent);
    case Condition::Kind::kTags: {
      for (const std::string& tag : facts.intent_tags) {
        if (Listed(condition.names, tag)) return {true, fmt::format("tag {} is listed", tag)};
      }
      if (facts.intent_tags.empty()) {
        return {false, facts.intent.empty() ? std::string("no intent, so no tags")
                                            : fmt::format("intent {} has no tags", facts.intent)};
      }
      std::string tags;
      for (const std::string& tag : facts.intent_tags) tags += (tags.empty() ? "" : ", ") + tag;
      return {false, fmt::format("tag{} {} {} not listed", facts.intent_tags.size() > 1 ? "s" : "",
                                 tags, facts.intent_tags.size() > 1 ? "are" : "is")};
    }
    case Condition::Kind::kLanguages:
      return NameIs("language", condition.names, facts.language);
    case Condition::Kind::kChannels:
      return NameIs("channel", condition.names, facts.channel);
    case Condition::Kind::kConfidenceBelow: {
      const bool holds = facts.confidence < condition.threshold;
      return {holds, fmt::format("confidence {:.2f} is {}below {:.2f}", facts.confidence,
                                 holds ? "" : "not ", condition.threshold)};
    }
    case Condition::Kind::kDistressAbove: {
      const bool holds = facts.distress > condition.threshold;
      return {holds, fmt::format("distress {:.2f} is {}above {:.2f}", facts.distress,
                                 holds ? "" : "not ", condition.threshold)};
    }
    case Condition::Kind::kOutOfScope:
      return {facts.in_scope != condition.flag,
              facts.in_scope ? "the message is in scope" : "the message is out of scope"};
    case Condition::Kind::kAskedForPerson:
      return {facts.asked_for_person == condition.flag,
              facts.asked_for_person ? "the customer asked for a person"
                                     : "the customer did not ask for a person"};
    case Condition::Kind::kBusinessHours:
      return {facts.business_hours == condition.flag,
              facts.business_hours ? "within business hours" : "outside business hours"};
  }
  return {false, "unknown condition"};
}

// Whether every condition of `rule` holds: the trace says why either way.
RuleTrace Try(const Rule& rule, const Facts& facts) {
  RuleTrace trace{rule.name, rule.line, true, ""};
  if (rule.IsDefault()) {
    trace.why = "default rule: no conditions";
    return trace;
  }
  std::vector<Outcome> outcomes;
  outcomes.reserve(rule.conditions.size());
  for (const Condition& condition : rule.conditions) {
    outcomes.push_back(Test(condition, facts));
    if (!outcomes.back().holds) trace.matched = false;
  }
  for (const Outcome& outcome : outcomes) {
    if (outcome.holds != trace.matched) continue;  // failing ones only, when it failed
    if (!trace.why.empty()) trace.why += "; ";
    trace.why += outcome.why;
  }
  return trace;
}

std::string_view YesNo(bool value) { return value ? "yes" : "no"; }

}  // namespace

Decision Policy::Decide(const Facts& facts) const {
  Decision decision;
  for (const Rule& rule : rules_) {
    decision.trace.push_back(Try(rule, facts));
    if (!decision.trace.back().matched) continue;
    decision.action = rule.action;
    decision.rule = rule.name;
    decision.rule_line = rule.line;
    decision.reason_de = rule.reason_de;
    decision.reason_en = rule.reason_en;
    return decision;
  }
  // Parse guarantees a default rule, so this is not reached; should it ever
  // be, the safe choice is a person.
  decision.action = Action::kPerson;
  decision.rule = "(none)";
  decision.reason_de = "Ihr Anliegen wird von einem Menschen bearbeitet.";
  decision.reason_en = "A person will handle your request.";
  return decision;
}

std::string FormatTrace(const Facts& facts, const Decision& decision) {
  std::string text = "facts\n";
  std::string tags;
  for (const std::string& tag : facts.intent_tags) tags += (tags.empty() ? "" : ", ") + tag;
  text += fmt::format("  intent            {}{}\n", facts.intent.empty() ? "(none)" : facts.intent,
                      tags.empty() ? "" : " (tags: " + tags + ")");
  text += fmt::format("  confidence        {:.2f}\n", facts.confidence);
  text += fmt::format("  in scope          {}\n", YesNo(facts.in_scope));
  text +=
      fmt::format("  language          {}\n", facts.language.empty() ? "(none)" : facts.language);
  text += fmt::format("  distress          {:.2f}\n", facts.distress);
  text += fmt::format("  asked for person  {}\n", YesNo(facts.asked_for_person));
  text += fmt::format("  business hours    {}\n", YesNo(facts.business_hours));
  text += fmt::format("  channel           {}\n", facts.channel);

  text += "rules tried\n";
  size_t width = 0;
  for (const RuleTrace& step : decision.trace) width = std::max(width, step.rule.size());
  for (size_t i = 0; i < decision.trace.size(); ++i) {
    const RuleTrace& step = decision.trace[i];
    text += fmt::format("  {:>2}. {:<{}}  line {:<4} {:<12} {}\n", i + 1, step.rule, width,
                        step.line, step.matched ? "matched" : "not matched", step.why);
  }

  text += "decision\n";
  text += fmt::format("  {}, by rule {} (line {})\n", ActionName(decision.action), decision.rule,
                      decision.rule_line);
  text += fmt::format("  de: {}\n", decision.reason_de);
  text += fmt::format("  en: {}\n", decision.reason_en);
  return text;
}

nlohmann::json DecisionToJson(const Decision& decision) {
  nlohmann::json trace = nlohmann::json::array();
  for (const RuleTrace& step : decision.trace) {
    trace.push_back(
        {{"rule", step.rule}, {"line", step.line}, {"matched", step.matched}, {"why", step.why}});
  }
  return {{"action", std::string(ActionName(decision.action))},
          {"rule", decision.rule},
          {"line", decision.rule_line},
          {"reason", {{"de", decision.reason_de}, {"en", decision.reason_en}}},
          {"trace", std::move(trace)}};
}

}  // namespace candor::policy
