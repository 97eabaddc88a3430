// policy: the rules that say what the AI may answer alone, what a person
// approves first, and what only people handle (DESIGN.md P3, P5, P6; policy
// depends on core only).
//
// A policy is a TOML file of [[rule]] tables, read top to bottom; the first
// rule whose conditions all hold decides. The last rule has no conditions and
// always holds (the default), so every message gets a decision. Each rule
// carries the reason shown to the customer, in German and English, and every
// decision carries the trace of the rules tried: why each matched or did not.
// The format is written down in data/policy/README.md.
//
//   [[rule]]
//   name = "money_disputes"
//   tags = ["money_dispute"]
//   action = "person"
//   reason.de = "Bei Fragen zu doppelten Abbuchungen ... entscheidet ein Mensch."
//   reason.en = "Questions about double charges ... are decided by a person."
//
// Thread-safety: a Policy and an IntentCatalogue are immutable after loading;
// Decide and the free functions may be called from any number of threads.
#pragma once

#include <iosfwd>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace candor::policy {

// ---- actions ----------------------------------------------------------------

// What a rule decides: the decision event's action (core/event.h).
using Action = DecisionAction;

std::string_view ActionName(Action action);  // "answer", "draft", "person", "unknown"
Result<Action> ParseAction(std::string_view name);

// ---- what routing decides on ------------------------------------------------

// The facts about one customer message.
struct Facts {
  std::string intent;                    // from the intent model ("charged_twice"), may be empty
  std::vector<std::string> intent_tags;  // e.g. {"money_dispute"}, from the intent catalogue
  std::string language;                  // "de", "en", "other"
  double confidence = 0;                 // the intent's probability
  bool in_scope = true;                  // false: out of scope
  double distress = 0;                   // in [0, 1]
  bool asked_for_person = false;         // the customer asked for a human
  bool business_hours = true;            // computed by the caller
  std::string channel = "chat";          // "chat", "api", "assistant"
};

// One condition of a rule, as written in the file.
struct Condition {
  enum class Kind {
    kIntents,          // intents = [..]: the intent is one of them
    kTags,             // tags = [..]: one of the intent's tags is one of them
    kLanguages,        // languages = [..]
    kChannels,         // channels = [..]
    kConfidenceBelow,  // confidence_below = 0.5
    kDistressAbove,    // distress_above = 0.6
    kOutOfScope,       // out_of_scope = true / false
    kAskedForPerson,   // asked_for_person = true / false
    kBusinessHours,    // business_hours = true / false
  };
  Kind kind = Kind::kIntents;
  int line = 0;
  std::vector<std::string> names;  // for the list kinds
  std::vector<int> name_lines;     // the line of each name
  double threshold = 0;            // for confidence_below and distress_above
  bool flag = false;               // for the true / false kinds

  std::string_view Key() const;  // the key in the file: "intents", "confidence_below", ...
  std::string Describe() const;  // "intent is one of charged_twice, fees"
};

struct Rule {
  std::string name;
  int line = 0;  // of the [[rule]] header
  Action action = Action::kUnknown;
  std::string reason_de;
  std::string reason_en;
  std::vector<Condition> conditions;  // all must hold; none: the default rule

  bool IsDefault() const { return conditions.empty(); }
  // The conditions joined by " and "; "always (default rule)" for the default.
  std::string DescribeConditions() const;
};

// How one rule fared against the facts.
struct RuleTrace {
  std::string rule;
  int line = 0;
  bool matched = false;
  // e.g. "intent charged_twice is listed" or "confidence 0.81 is not below 0.50":
  // every condition when the rule matched, the failing ones when it did not.
  std::string why;
};

struct Decision {
  Action action = Action::kPerson;
  std::string rule;
  int rule_line = 0;
  std::string reason_de;
  std::string reason_en;
  std::vector<RuleTrace> trace;  // every rule tried, the deciding one last
};

// ---- the policy -------------------------------------------------------------

class Policy {
 public:
  // Reads a policy from TOML text. `source_name` names it in errors, each of
  // the form "bank.toml:12: rule "fees": unknown action "aprove" (answer,
  // draft, person, unknown)". The Status holds every error found, one a line,
  // in the order of their lines.
  static Result<Policy> Parse(std::string_view toml_text, std::string_view source_name);
  static Result<Policy> Load(const std::string& path);

  // The first rule whose conditions all hold; the default rule always does.
  Decision Decide(const Facts& facts) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* FindRule(std::string_view name) const;  // nullptr if there is none
  const std::string& source_name() const { return source_name_; }

 private:
  Policy(std::string source_name, std::vector<Rule> rules)
      : source_name_(std::move(source_name)), rules_(std::move(rules)) {}

  // Constant after construction.
  std::string source_name_;
  std::vector<Rule> rules_;  // never empty; the last one is the default
};

// ---- the intent catalogue ---------------------------------------------------

// Which intents a deployment knows and their tags. An entry's "sensitive"
// value ("money_dispute", "fraud") is a tag, "none" gives none; an optional
// "tags" array adds more.
struct IntentCatalogue {
  std::map<std::string, std::vector<std::string>, std::less<>> tags_by_intent;
  std::set<std::string, std::less<>> tags;  // every tag of every intent

  bool KnowsIntent(std::string_view intent) const;
  bool KnowsTag(std::string_view tag) const;
};

// Reads an intents.json: an array of {"id", "sensitive", optional "tags": [..]}.
// Other keys are ignored.
Result<IntentCatalogue> ParseIntentCatalogue(std::string_view json_text,
                                             std::string_view source_name);
Result<IntentCatalogue> LoadIntentCatalogue(const std::string& path);

// The tags of `intent`; empty for an unknown or empty intent.
std::vector<std::string> TagsOf(const IntentCatalogue& catalogue, std::string_view intent);

// An intent or a tag named in a rule that the catalogue does not know is an
// error, "bank.toml:14: rule "fees": unknown intent "fess" ...", one a line.
Status CheckAgainstCatalogue(const Policy& policy, const IntentCatalogue& catalogue);

// ---- for people and tools ---------------------------------------------------

// `candor policy check FILE [--intents intents.json]`: on success writes one
// line per rule to `out` and returns 0; otherwise writes every error,
// "FILE:LINE: message", to `err` and returns 1. `catalogue_path` may be empty.
int RunPolicyCheck(const std::string& policy_path, const std::string& catalogue_path,
                   std::ostream& out, std::ostream& err);

// `candor policy explain`: the facts, each rule tried with whether it matched
// and why, then the decision and its reasons. Several lines, English.
std::string FormatTrace(const Facts& facts, const Decision& decision);

// {"action", "rule", "line", "reason": {"de", "en"},
//  "trace": [{"rule", "line", "matched", "why"}, ..]}
nlohmann::json DecisionToJson(const Decision& decision);

}  // namespace candor::policy
