// The intent catalogue (which intents exist and their tags), the check that a
// policy names only those, and `candor policy check`.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "policy/internal/suggest.h"
#include "policy/policy.h"

namespace candor::policy {

bool IntentCatalogue::KnowsIntent(std::string_view intent) const {
  return tags_by_intent.find(intent) != tags_by_intent.end();
}

bool IntentCatalogue::KnowsTag(std::string_view tag) const { return tags.find(tag) != tags.end(); }

std::vector<std::string> TagsOf(const IntentCatalogue& catalogue, std::string_view intent) {
  if (intent.empty()) return {};
  const auto it = catalogue.tags_by_intent.find(intent);
  if (it == catalogue.tags_by_intent.end()) return {};
  return it->second;
}

namespace {

void AddTag(std::vector<std::string>& tags, const std::string& tag) {
  if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
}

}  // namespace

Result<IntentCatalogue> ParseIntentCatalogue(std::string_view json_text,
                                             std::string_view source_name) {
  nlohmann::json document = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Status::InvalidArgument(fmt::format("{}: not valid JSON", source_name));
  }
  if (!document.is_array()) {
    return Status::InvalidArgument(
        fmt::format("{}: must be an array of {{\"id\", \"sensitive\"}} objects", source_name));
  }
  IntentCatalogue catalogue;
  for (size_t i = 0; i < document.size(); ++i) {
    const nlohmann::json& entry = document[i];
    const std::string where = fmt::format("{}: entry {}", source_name, i + 1);
    if (!entry.is_object()) return Status::InvalidArgument(where + ": must be an object");
    const auto id = entry.find("id");
    if (id == entry.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument(where + ": \"id\" must be a non-empty string", "id");
    }
    const std::string& name = id->get_ref<const std::string&>();
    const std::string label = fmt::format("{} (\"{}\")", where, name);
    if (catalogue.KnowsIntent(name)) {
      return Status::InvalidArgument(label + ": the id is used twice", "id");
    }
    std::vector<std::string> tags;
    if (const auto sensitive = entry.find("sensitive"); sensitive != entry.end()) {
      if (!sensitive->is_string() || sensitive->get_ref<const std::string&>().empty()) {
        return Status::InvalidArgument(
            label + ": \"sensitive\" must be a string (\"money_dispute\", \"fraud\", \"none\")",
            "sensitive");
      }
      const std::string& value = sensitive->get_ref<const std::string&>();
      if (value != "none") AddTag(tags, value);
    }
    if (const auto extra = entry.find("tags"); extra != entry.end()) {
      if (!extra->is_array()) {
        return Status::InvalidArgument(label + ": \"tags\" must be a list of strings", "tags");
      }
      for (const nlohmann::json& tag : *extra) {
        if (!tag.is_string() || tag.get_ref<const std::string&>().empty()) {
          return Status::InvalidArgument(label + ": \"tags\" must be a list of non-empty strings",
                                         "tags");
        }
        AddTag(tags, tag.get<std::string>());
      }
    }
    for (const std::string& tag : tags) catalogue.tags.insert(tag);
    catalogue.tags_by_intent.emplace(name, std::move(tags));
  }
  return catalogue;
}

Result<IntentCatalogue> LoadIntentCatalogue(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound(path + ": cannot open the intent catalogue");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::IoError(path + ": cannot read the intent catalogue");
  return ParseIntentCatalogue(text.str(), path);
}

Status CheckAgainstCatalogue(const Policy& policy, const IntentCatalogue& catalogue) {
  std::vector<std::string> intents;
  for (const auto& [intent, tags] : catalogue.tags_by_intent) intents.push_back(intent);
  const std::vector<std::string> tags(catalogue.tags.begin(), catalogue.tags.end());

  std::vector<std::pair<int, std::string>> errors;
  for (const Rule& rule : policy.rules()) {
    for (const Condition& condition : rule.conditions) {
      const bool is_intents = condition.kind == Condition::Kind::kIntents;
      if (!is_intents && condition.kind != Condition::Kind::kTags) continue;
      for (size_t i = 0; i < condition.names.size(); ++i) {
        const std::string& name = condition.names[i];
        if (is_intents ? catalogue.KnowsIntent(name) : catalogue.KnowsTag(name)) continue;
        const int line = i < condition.name_lines.size() ? condition.name_lines[i] : condition.line;
        const std::string hint = internal::DidYouMean(name, is_intents ? intents : tags);
        errors.emplace_back(
            line,
            fmt::format("{}:{}: rule \"{}\": unknown {} \"{}\"{}; the intent catalogue {}",
                        policy.source_name(), line, rule.name, is_intents ? "intent" : "tag", name,
                        hint, is_intents ? "has no such intent" : "gives no intent this tag"));
      }
    }
  }
  if (errors.empty()) return Status::Ok();
  std::stable_sort(errors.begin(), errors.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string message;
  for (const auto& [line, text] : errors) message += (message.empty() ? "" : "\n") + text;
  return Status::InvalidArgument(std::move(message));
}

int RunPolicyCheck(const std::string& policy_path, const std::string& catalogue_path,
                   std::ostream& out, std::ostream& err) {
  Result<Policy> policy = Policy::Load(policy_path);
  if (!policy.ok()) {
    err << policy.status().message() << "\n";
    return 1;
  }
  if (!catalogue_path.empty()) {
    Result<IntentCatalogue> catalogue = LoadIntentCatalogue(catalogue_path);
    if (!catalogue.ok()) {
      err << catalogue.status().message() << "\n";
      return 1;
    }
    Status known = CheckAgainstCatalogue(*policy, *catalogue);
    if (!known.ok()) {
      err << known.message() << "\n";
      return 1;
    }
  }
  size_t width = 0;
  for (const Rule& rule : policy->rules()) width = std::max(width, rule.name.size());
  const std::vector<Rule>& rules = policy->rules();
  for (size_t i = 0; i < rules.size(); ++i) {
    out << fmt::format("{:>2}. {:<{}}  line {:<4} {:<7}  {}\n", i + 1, rules[i].name, width,
                       rules[i].line, ActionName(rules[i].action), rules[i].DescribeConditions());
  }
  out << fmt::format(
      "{}: {} rules, ok{}\n", policy_path, rules.size(),
      catalogue_path.empty() ? "" : "; every intent and tag is in " + catalogue_path);
  return 0;
}

}  // namespace candor::policy
