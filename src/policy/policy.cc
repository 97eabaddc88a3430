// Reading a policy file: TOML through toml++, checked key by key so that every
// mistake is reported with its line, and nothing half-read is ever used.
#include "policy/policy.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "policy/internal/suggest.h"

namespace candor::policy {

// ---- actions ----------------------------------------------------------------

std::string_view ActionName(Action action) { return DecisionActionName(action); }

Result<Action> ParseAction(std::string_view name) {
  auto action = ParseDecisionAction(name);
  if (action.ok()) return *action;
  return Status::InvalidArgument(
      fmt::format("unknown action \"{}\" (answer, draft, person, unknown)", name), "action");
}

// ---- descriptions -----------------------------------------------------------

namespace {

std::string Join(const std::vector<std::string>& names, std::string_view separator) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += separator;
    text += names[i];
  }
  return text;
}

std::string OneOf(std::string_view what, const std::vector<std::string>& names) {
  if (names.size() == 1) return fmt::format("{} is {}", what, names[0]);
  return fmt::format("{} is one of {}", what, Join(names, ", "));
}

}  // namespace

std::string_view Condition::Key() const {
  switch (kind) {
    case Kind::kIntents:
      return "intents";
    case Kind::kTags:
      return "tags";
    case Kind::kLanguages:
      return "languages";
    case Kind::kChannels:
      return "channels";
    case Kind::kConfidenceBelow:
      return "confidence_below";
    case Kind::kDistressAbove:
      return "distress_above";
    case Kind::kOutOfScope:
      return "out_of_scope";
    case Kind::kAskedForPerson:
      return "asked_for_person";
    case Kind::kBusinessHours:
      return "business_hours";
  }
  return "";
}

std::string Condition::Describe() const {
  switch (kind) {
    case Kind::kIntents:
      return OneOf("intent", names);
    case Kind::kTags:
      return names.size() == 1 ? "intent tagged " + names[0]
                               : "intent tagged " + Join(names, " or ");
    case Kind::kLanguages:
      return OneOf("language", names);
    case Kind::kChannels:
      return OneOf("channel", names);
    case Kind::kConfidenceBelow:
      return fmt::format("confidence below {:.2f}", threshold);
    case Kind::kDistressAbove:
      return fmt::format("distress above {:.2f}", threshold);
    case Kind::kOutOfScope:
      return flag ? "out of scope" : "in scope";
    case Kind::kAskedForPerson:
      return flag ? "the customer asked for a person" : "the customer did not ask for a person";
    case Kind::kBusinessHours:
      return flag ? "within business hours" : "outside business hours";
  }
  return "";
}

std::string Rule::DescribeConditions() const {
  if (IsDefault()) return "always (default rule)";
  std::string text;
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (i > 0) text += " and ";
    text += conditions[i].Describe();
  }
  return text;
}

const Rule* Policy::FindRule(std::string_view name) const {
  for (const Rule& rule : rules_) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

// ---- parsing ----------------------------------------------------------------

namespace {

struct Error {
  int line = 0;
  std::string message;
};

std::vector<std::string> RuleKeys() {
  return {"name",           "action",       "reason",           "intents",
          "tags",           "languages",    "channels",         "confidence_below",
          "distress_above", "out_of_scope", "asked_for_person", "business_hours"};
}

struct ConditionKey {
  std::string_view key;
  Condition::Kind kind;
};
constexpr ConditionKey kConditionKeys[] = {
    {"intents", Condition::Kind::kIntents},
    {"tags", Condition::Kind::kTags},
    {"languages", Condition::Kind::kLanguages},
    {"channels", Condition::Kind::kChannels},
    {"confidence_below", Condition::Kind::kConfidenceBelow},
    {"distress_above", Condition::Kind::kDistressAbove},
    {"out_of_scope", Condition::Kind::kOutOfScope},
    {"asked_for_person", Condition::Kind::kAskedForPerson},
    {"business_hours", Condition::Kind::kBusinessHours},
};

int LineOf(const toml::node& node, int fallback) {
  const int line = static_cast<int>(node.source().begin.line);
  return line > 0 ? line : fallback;
}

int LineOf(const toml::key& key, int fallback) {
  const int line = static_cast<int>(key.source().begin.line);
  return line > 0 ? line : fallback;
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "true or false";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Reads one [[rule]] table; adds what is wrong with it to `errors`.
class RuleReader {
 public:
  RuleReader(const toml::table& table, int index, std::vector<Error>& errors)
      : table_(table), errors_(errors) {
    rule_.line = LineOf(table, 1);
    label_ = fmt::format("rule {}", index);
  }

  // The rule, and whether it had any condition key at all (even a bad one).
  Rule Read(bool& has_conditions) {
    ReadName();
    bool has_action = false;
    bool has_reason = false;
    has_conditions = false;
    for (const auto& [key, node] : table_) {
      const std::string_view name = key.str();
      const int line = LineOf(key, LineOf(node, rule_.line));
      if (name == "name") continue;
      if (name == "action") {
        has_action = true;
        ReadAction(node, line);
      } else if (name == "reason") {
        has_reason = true;
        ReadReason(node, line);
      } else if (const ConditionKey* condition = FindConditionKey(name)) {
        has_conditions = true;
        ReadCondition(*condition, node, line);
      } else {
        // Most likely a misspelt condition: the rule is not a default rule.
        has_conditions = true;
        Fail(line, fmt::format("unknown key \"{}\"{}", name, UnknownKeyHint(name)));
      }
    }
    if (!has_action) {
      Fail(rule_.line, "missing action (answer, draft, person, unknown)");
    }
    if (!has_reason) {
      Fail(rule_.line, "missing reason.de and reason.en (the reason shown to the customer)");
    } else if (reason_is_table_) {
      if (!has_reason_de_) Fail(rule_.line, "missing reason.de");
      if (!has_reason_en_) Fail(rule_.line, "missing reason.en");
    }
    std::sort(rule_.conditions.begin(), rule_.conditions.end(),
              [](const Condition& a, const Condition& b) { return a.line < b.line; });
    return std::move(rule_);
  }

 private:
  static const ConditionKey* FindConditionKey(std::string_view name) {
    for (const ConditionKey& entry : kConditionKeys) {
      if (entry.key == name) return &entry;
    }
    return nullptr;
  }

  static std::string UnknownKeyHint(std::string_view name) {
    std::string hint = internal::DidYouMean(name, RuleKeys());
    if (!hint.empty()) return hint;
    return "; a rule has name, action, reason.de, reason.en and the conditions intents, tags, "
           "languages, channels, confidence_below, distress_above, out_of_scope, "
           "asked_for_person, business_hours";
  }

  void Fail(int line, std::string message) {
    errors_.push_back({line, label_ + ": " + std::move(message)});
  }

  void ReadName() {
    const toml::node* node = table_.get("name");
    if (node == nullptr) {
      Fail(rule_.line, "missing name");
      return;
    }
    const int line = LineOf(*node, rule_.line);
    const auto* value = node->as_string();
    if (value == nullptr) {
      Fail(line, fmt::format("name must be a string, not {}", TypeName(*node)));
      return;
    }
    if (value->get().empty()) {
      Fail(line, "name is empty");
      return;
    }
    rule_.name = value->get();
    label_ = fmt::format("rule \"{}\"", rule_.name);
  }

  void ReadAction(const toml::node& node, int line) {
    const auto* value = node.as_string();
    if (value == nullptr) {
      Fail(line, fmt::format("action must be a string (answer, draft, person, unknown), not {}",
                             TypeName(node)));
      return;
    }
    Result<Action> action = ParseAction(value->get());
    if (!action.ok()) {
      Fail(line, action.status().message());
      return;
    }
    rule_.action = *action;
  }

  void ReadReason(const toml::node& node, int line) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      Fail(line, fmt::format("reason must be a table (reason.de = \"...\" and reason.en = "
                             "\"...\"), not {}",
                             TypeName(node)));
      return;
    }
    reason_is_table_ = true;
    for (const auto& [key, value] : *table) {
      const std::string_view language = key.str();
      const int value_line = LineOf(key, LineOf(value, line));
      std::string* target = nullptr;
      if (language == "de") {
        has_reason_de_ = true;
        target = &rule_.reason_de;
      } else if (language == "en") {
        has_reason_en_ = true;
        target = &rule_.reason_en;
      } else {
        Fail(value_line,
             fmt::format("unknown key \"reason.{}\" (reason.de and reason.en)", language));
        continue;
      }
      const auto* text = value.as_string();
      if (text == nullptr) {
        Fail(value_line,
             fmt::format("reason.{} must be a string, not {}", language, TypeName(value)));
        continue;
      }
      if (text->get().find_first_not_of(" \t\r\n") == std::string::npos) {
        Fail(value_line, fmt::format("reason.{} is empty", language));
        continue;
      }
      *target = text->get();
    }
  }

  void ReadCondition(const ConditionKey& key, const toml::node& node, int line) {
    Condition condition;
    condition.kind = key.kind;
    condition.line = line;
    switch (key.kind) {
      case Condition::Kind::kIntents:
      case Condition::Kind::kTags:
      case Condition::Kind::kLanguages:
      case Condition::Kind::kChannels:
        if (!ReadNames(key.key, node, line, condition)) return;
        break;
      case Condition::Kind::kConfidenceBelow:
      case Condition::Kind::kDistressAbove: {
        if (!node.is_number()) {
          Fail(line, fmt::format("{} must be a number in [0, 1], not {}", key.key, TypeName(node)));
          return;
        }
        const double value = node.value<double>().value_or(-1);
        if (!(value >= 0 && value <= 1)) {
          Fail(line, fmt::format("{} = {} is outside [0, 1]", key.key, value));
          return;
        }
        condition.threshold = value;
        break;
      }
      case Condition::Kind::kOutOfScope:
      case Condition::Kind::kAskedForPerson:
      case Condition::Kind::kBusinessHours: {
        const auto* value = node.as_boolean();
        if (value == nullptr) {
          Fail(line, fmt::format("{} must be true or false, not {}", key.key, TypeName(node)));
          return;
        }
        condition.flag = value->get();
        break;
      }
    }
    rule_.conditions.push_back(std::move(condition));
  }

  bool ReadNames(std::string_view key, const toml::node& node, int line, Condition& condition) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      Fail(line, fmt::format("{} must be a list of strings, e.g. {} = [\"...\"], not {}", key, key,
                             TypeName(node)));
      return false;
    }
    if (array->empty()) {
      Fail(line, fmt::format("{} is an empty list; name at least one or leave the key out", key));
      return false;
    }
    bool ok = true;
    for (const toml::node& element : *array) {
      const int element_line = LineOf(element, line);
      const auto* text = element.as_string();
      if (text == nullptr) {
        Fail(element_line,
             fmt::format("{} must be a list of strings; found {}", key, TypeName(element)));
        ok = false;
        continue;
      }
      if (text->get().empty()) {
        Fail(element_line, fmt::format("{} has an empty name", key));
        ok = false;
        continue;
      }
      condition.names.push_back(text->get());
      condition.name_lines.push_back(element_line);
    }
    return ok;
  }

  const toml::table& table_;
  std::vector<Error>& errors_;
  Rule rule_;
  std::string label_;
  bool reason_is_table_ = false;
  bool has_reason_de_ = false;
  bool has_reason_en_ = false;
};

Status ErrorsToStatus(std::vector<Error> errors, std::string_view source_name) {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const Error& a, const Error& b) { return a.line < b.line; });
  std::string message;
  for (const Error& error : errors) {
    if (!message.empty()) message += '\n';
    message += fmt::format("{}:{}: {}", source_name, error.line, error.message);
  }
  return Status::InvalidArgument(std::move(message));
}

}  // namespace

Result<Policy> Policy::Parse(std::string_view toml_text, std::string_view source_name) {
  // Debian builds toml++ with exceptions; they stop here and become a Status.
  toml::table document;
  try {
    document = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    const int line = std::max(1, static_cast<int>(error.source().begin.line));
    return ErrorsToStatus({{line, std::string(error.description())}}, source_name);
  }

  std::vector<Error> errors;
  const toml::array* rule_tables = nullptr;
  for (const auto& [key, node] : document) {
    const int line = LineOf(key, LineOf(node, 1));
    if (key.str() != "rule") {
      errors.push_back(
          {line, fmt::format("unknown key \"{}\"{}; a policy is a list of [[rule]] tables",
                             key.str(), internal::DidYouMean(key.str(), {"rule"}))});
      continue;
    }
    rule_tables = node.as_array();
    if (rule_tables == nullptr || !rule_tables->is_array_of_tables()) {
      errors.push_back({line, "rule must be written as [[rule]] tables"});
      rule_tables = nullptr;
    }
  }

  std::vector<Rule> rules;
  std::vector<bool> is_default;
  if (rule_tables != nullptr) {
    int index = 0;
    for (const toml::node& node : *rule_tables) {
      ++index;
      const toml::table* table = node.as_table();
      if (table == nullptr) continue;  // is_array_of_tables() was checked
      bool has_conditions = false;
      rules.push_back(RuleReader(*table, index, errors).Read(has_conditions));
      is_default.push_back(!has_conditions);
    }
  }
  if (rules.empty()) {
    if (errors.empty()) {
      errors.push_back({1,
                        "no rules: a policy needs at least one [[rule]], the last one "
                        "without conditions (the default)"});
    }
    return ErrorsToStatus(std::move(errors), source_name);
  }

  // Names are unique, so a decision names the rule that made it.
  std::map<std::string, int, std::less<>> first_line;
  for (const Rule& rule : rules) {
    if (rule.name.empty()) continue;
    auto [it, inserted] = first_line.emplace(rule.name, rule.line);
    if (!inserted) {
      errors.push_back({rule.line, fmt::format("rule \"{}\": duplicate name (first used at "
                                               "line {})",
                                               rule.name, it->second)});
    }
  }

  // Exactly one default, and it comes last: a rule after it is never reached.
  const auto first_default = std::find(is_default.begin(), is_default.end(), true);
  if (first_default == is_default.end()) {
    errors.push_back({rules.back().line,
                      "no default rule: the last rule must have no conditions, so that every "
                      "message gets a decision"});
  } else {
    const size_t at = static_cast<size_t>(first_default - is_default.begin());
    const Rule& fallback = rules[at];
    for (size_t i = at + 1; i < rules.size(); ++i) {
      const std::string label =
          rules[i].name.empty() ? fmt::format("rule {}", i + 1) : "rule \"" + rules[i].name + "\"";
      errors.push_back(
          {rules[i].line,
           fmt::format("{}: unreachable: the default rule \"{}\" (line {}) matches every "
                       "message before it; the default rule must be last",
                       label, fallback.name, fallback.line)});
    }
  }

  if (!errors.empty()) return ErrorsToStatus(std::move(errors), source_name);
  return Policy(std::string(source_name), std::move(rules));
}

Result<Policy> Policy::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound(path + ": cannot open the policy file");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::IoError(path + ": cannot read the policy file");
  return Parse(text.str(), path);
}

}  // namespace candor::policy
