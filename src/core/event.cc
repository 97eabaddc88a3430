#include "core/event.h"

#include <nlohmann/json.hpp>

namespace candor {
namespace {

constexpr std::pair<Author, std::string_view> kAuthors[] = {
    {Author::kCustomer, "customer"}, {Author::kCustomerAssistant, "customer_assistant"},
    {Author::kAi, "ai"},             {Author::kPerson, "person"},
    {Author::kAiApproved, "ai_approved"},
};

constexpr std::pair<StepStatus, std::string_view> kStepStatuses[] = {
    {StepStatus::kStarted, "started"}, {StepStatus::kDone, "done"}, {StepStatus::kFailed, "failed"}};

template <typename E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N], E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "unknown";
}

template <typename E, size_t N>
Result<E> Parse(const std::pair<E, std::string_view> (&table)[N], std::string_view name,
                const char* what) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return Status::InvalidArgument(std::string("unknown ") + what + " '" + std::string(name) + "'",
                                 what);
}

}  // namespace

std::string_view AuthorName(Author author) { return NameOf(kAuthors, author); }
Result<Author> ParseAuthor(std::string_view name) { return Parse(kAuthors, name, "author"); }
std::string_view StepStatusName(StepStatus s) { return NameOf(kStepStatuses, s); }
Result<StepStatus> ParseStepStatus(std::string_view name) {
  return Parse(kStepStatuses, name, "status");
}

std::string_view EventKind(const EventBody& body) {
  if (std::holds_alternative<MessageEvent>(body)) return "message";
  if (std::holds_alternative<RevealEvent>(body)) return "reveal";
  if (std::holds_alternative<UnderstandingEvent>(body)) return "understanding";
  return "work_step";
}

namespace {

// How the customer's tracker names a kind of personal data.
std::pair<std::string, std::string> PiiTypeWords(const std::string& type) {
  static const std::pair<const char*, std::pair<const char*, const char*>> kWords[] = {
      {"iban", {"IBAN", "IBAN"}},
      {"card", {"Kartennummer", "card number"}},
      {"phone", {"Telefonnummer", "phone number"}},
      {"email", {"E-Mail-Adresse", "e-mail address"}},
      {"tax_id", {"Steuer-ID", "tax ID"}},
      {"ip", {"IP-Adresse", "IP address"}},
      {"secret", {"Zugangsdaten", "credentials"}},
      {"birth_date", {"Geburtsdatum", "date of birth"}},
      {"name", {"Namensangabe", "name"}},
  };
  for (const auto& [key, words] : kWords)
    if (type == key) return {words.first, words.second};
  return {"Daten", "data"};
}

nlohmann::json BodyToJson(const EventBody& body, bool iso_times) {
  nlohmann::json j;
  if (const auto* m = std::get_if<MessageEvent>(&body)) {
    j["author"] = AuthorName(m->author);
    j["text"] = m->text;
    if (!m->agent.empty()) j["agent"] = m->agent;
  } else if (const auto* r = std::get_if<RevealEvent>(&body)) {
    j["agent"] = r->agent;
    j["placeholder"] = r->placeholder;
    j["pii_type"] = r->pii_type;
    j["reason"] = r->reason;
    if (iso_times) {  // the API: what the customer's tracker says
      const auto [de, en] = PiiTypeWords(r->pii_type);
      j["notice"] = {{"de", "Eine Person hat Ihre " + de + " angesehen: " + r->reason},
                     {"en", "A person viewed your " + en + ": " + r->reason}};
    }
  } else if (const auto* u = std::get_if<UnderstandingEvent>(&body)) {
    j["language"] = u->language;
    j["intent"] = u->intent;
    j["confidence"] = u->confidence;
    j["in_scope"] = u->in_scope;
    j["distress"] = u->distress;
    j["model"] = u->model;
  } else {
    const auto& w = std::get<WorkStepEvent>(body);
    j["stage"] = w.stage;
    j["status"] = StepStatusName(w.status);
    j["label"] = {{"de", w.label_de}, {"en", w.label_en}};
    auto time = [&](Time t) -> nlohmann::json {
      if (iso_times) return FormatIso8601(t);
      return ToUnixMillis(t);
    };
    j["started_at"] = time(w.started_at);
    if (w.finished_at) j["finished_at"] = time(*w.finished_at);
    if (!w.detail.empty()) j["detail"] = w.detail;
  }
  return j;
}

}  // namespace

std::string EncodeEventBody(const EventBody& body) { return BodyToJson(body, false).dump(); }

Result<EventBody> DecodeEventBody(std::string_view kind, std::string_view json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::IoError("stored event is not JSON");
  try {
    if (kind == "message") {
      MessageEvent m;
      auto author = ParseAuthor(j.at("author").get<std::string>());
      if (!author.ok()) return author.status();
      m.author = *author;
      m.text = j.at("text").get<std::string>();
      m.agent = j.value("agent", "");
      return EventBody(std::move(m));
    }
    if (kind == "reveal") {
      return EventBody(RevealEvent{j.at("agent").get<std::string>(),
                                   j.at("placeholder").get<std::string>(),
                                   j.at("pii_type").get<std::string>(),
                                   j.at("reason").get<std::string>()});
    }
    if (kind == "understanding") {
      UnderstandingEvent u;
      u.language = j.at("language").get<std::string>();
      u.intent = j.at("intent").get<std::string>();
      u.confidence = j.at("confidence").get<double>();
      u.in_scope = j.at("in_scope").get<bool>();
      u.distress = j.at("distress").get<double>();
      u.model = j.value("model", "");
      return EventBody(std::move(u));
    }
    if (kind == "work_step") {
      WorkStepEvent w;
      w.stage = j.at("stage").get<std::string>();
      auto status = ParseStepStatus(j.at("status").get<std::string>());
      if (!status.ok()) return status.status();
      w.status = *status;
      w.label_de = j.at("label").at("de").get<std::string>();
      w.label_en = j.at("label").at("en").get<std::string>();
      w.started_at = FromUnixMillis(j.at("started_at").get<int64_t>());
      if (j.contains("finished_at")) w.finished_at = FromUnixMillis(j["finished_at"].get<int64_t>());
      w.detail = j.value("detail", "");
      return EventBody(std::move(w));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::IoError(std::string("stored event is malformed: ") + e.what());
  }
  return Status::IoError("stored event has unknown kind '" + std::string(kind) + "'");
}

nlohmann::json EventToJson(const Event& event) {
  nlohmann::json j = BodyToJson(event.body, true);
  j["seq"] = event.seq;
  j["type"] = EventKind(event.body);
  j["at"] = FormatIso8601(event.at);
  j["conversation_id"] = event.conversation_id;
  return j;
}

}  // namespace candor
