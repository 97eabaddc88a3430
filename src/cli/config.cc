#include "cli/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>

namespace candor {
namespace {

using Setter = std::function<Status(Config&, const std::string&)>;

Result<int64_t> ParseInt(const std::string& text, int64_t min, int64_t max,
                         const std::string& key) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument(key + " must be a whole number from " + std::to_string(min) +
                                       " to " + std::to_string(max) + ", not '" + text + "'",
                                   key);
  }
  return value;
}

Setter IntSetting(int64_t min, int64_t max, std::function<void(Config&, int64_t)> set,
                  std::string key) {
  return [=](Config& c, const std::string& text) -> Status {
    auto value = ParseInt(text, min, max, key);
    if (!value.ok()) return value.status();
    set(c, *value);
    return Status::Ok();
  };
}

Setter MillisSetting(std::chrono::milliseconds ServerOptions::*field, std::string key) {
  return IntSetting(
      1, 3'600'000,
      [field](Config& c, int64_t v) { c.server.*field = std::chrono::milliseconds(v); }, key);
}

struct Entry {
  SettingInfo info;
  Setter set;
};

const std::vector<Entry>& Table() {
  static const std::vector<Entry> kTable = [] {
    std::vector<Entry> t;
    auto add = [&t](std::string key, std::string env, std::string help, Setter set) {
      t.push_back({{std::move(key), std::move(env), std::move(help)}, std::move(set)});
    };
    add("server.bind", "CANDOR_BIND", "address to listen on (default 127.0.0.1)",
        [](Config& c, const std::string& v) {
          c.server.bind = v;
          return Status::Ok();
        });
    add("server.port", "CANDOR_PORT", "TCP port; 0 picks a free one (default 8080)",
        IntSetting(
            0, 65535, [](Config& c, int64_t v) { c.server.port = static_cast<uint16_t>(v); },
            "server.port"));
    add("server.io_threads", "CANDOR_IO_THREADS", "threads serving HTTP (default 2)",
        IntSetting(
            1, 64, [](Config& c, int64_t v) { c.server.io_threads = static_cast<int>(v); },
            "server.io_threads"));
    add("server.max_connections", "CANDOR_MAX_CONNECTIONS",
        "open connections at most, kept below the open-file limit; more get 503 (default 20000)",
        IntSetting(
            1, 1'000'000,
            [](Config& c, int64_t v) { c.server.max_connections = static_cast<size_t>(v); },
            "server.max_connections"));
    add("server.header_timeout_ms", "CANDOR_HEADER_TIMEOUT_MS",
        "time for a request head, and for an idle keep-alive connection (default 10000)",
        MillisSetting(&ServerOptions::header_timeout, "server.header_timeout_ms"));
    add("server.body_timeout_ms", "CANDOR_BODY_TIMEOUT_MS",
        "time for a request body (default 10000)",
        MillisSetting(&ServerOptions::body_timeout, "server.body_timeout_ms"));
    add("server.write_timeout_ms", "CANDOR_WRITE_TIMEOUT_MS",
        "time for a client to take a response or stream event (default 15000)",
        MillisSetting(&ServerOptions::write_timeout, "server.write_timeout_ms"));
    add("server.stream_heartbeat_ms", "CANDOR_STREAM_HEARTBEAT_MS",
        "keep-alive comment on idle event streams (default 15000)",
        MillisSetting(&ServerOptions::stream_heartbeat, "server.stream_heartbeat_ms"));
    add("server.login_attempts_per_minute", "CANDOR_LOGIN_ATTEMPTS_PER_MINUTE",
        "login attempts per IP and per name, or per known device (default 10, burst 5)",
        IntSetting(
            1, 100000,
            [](Config& c, int64_t v) {
              c.server.login_attempts_per_minute = static_cast<double>(v);
            },
            "server.login_attempts_per_minute"));
    add("server.session_idle_timeout_ms", "CANDOR_SESSION_IDLE_TIMEOUT_MS",
        "an agent's session ends after this long without a request (default 1800000)",
        IntSetting(
            1000, 86'400'000,
            [](Config& c, int64_t v) {
              c.server.session_idle_timeout = std::chrono::milliseconds(v);
            },
            "server.session_idle_timeout_ms"));
    add("server.session_max_hours", "CANDOR_SESSION_MAX_HOURS",
        "an agent's session ends this long after login, however active (default 12)",
        IntSetting(
            1, 168, [](Config& c, int64_t v) { c.server.session_ttl = std::chrono::hours(v); },
            "server.session_max_hours"));
    add("server.max_streams_per_conversation", "CANDOR_MAX_STREAMS_PER_CONVERSATION",
        "live event streams at most per conversation; more get 429 (default 20)",
        IntSetting(
            1, 1'000'000,
            [](Config& c, int64_t v) {
              c.server.max_streams_per_conversation = static_cast<size_t>(v);
            },
            "server.max_streams_per_conversation"));
    add("server.max_streams_per_address", "CANDOR_MAX_STREAMS_PER_ADDRESS",
        "live event streams at most per client address; more get 429 (default 200)",
        IntSetting(
            1, 1'000'000,
            [](Config& c, int64_t v) { c.server.max_streams_per_address = static_cast<size_t>(v); },
            "server.max_streams_per_address"));
    add("server.conversations_per_minute", "CANDOR_CONVERSATIONS_PER_MINUTE",
        "new conversations per IP (default 600)",
        IntSetting(
            1, 10'000'000,
            [](Config& c, int64_t v) {
              c.server.conversations_per_minute_per_ip = static_cast<double>(v);
            },
            "server.conversations_per_minute"));
    add("server.access_log", "CANDOR_ACCESS_LOG",
        "log one line per request: method, route, status, time (default false)",
        [](Config& c, const std::string& v) {
          if (v != "true" && v != "false")
            return Status::InvalidArgument("server.access_log must be true or false",
                                           "server.access_log");
          c.server.access_log = v == "true";
          return Status::Ok();
        });
    add("server.web_dir", "CANDOR_WEB_DIR",
        "the built web front end served at /chat, /agent, /admin (default: the one built with "
        "candor)",
        [](Config& c, const std::string& v) {
          if (v.empty()) return Status::InvalidArgument("server.web_dir is empty", "web_dir");
          c.server.web_dir = v;
          return Status::Ok();
        });
    add("storage.data_dir", "CANDOR_DATA", "directory of the database and keys (default ./var)",
        [](Config& c, const std::string& v) {
          if (v.empty()) return Status::InvalidArgument("storage.data_dir is empty", "data_dir");
          c.data_dir = v;
          return Status::Ok();
        });
    add("storage.share_dir", "CANDOR_SHARE_DIR",
        "the models, web front end and demo data candor ships with (default: ../share/candor "
        "beside the binary)",
        [](Config& c, const std::string& v) {
          if (v.empty()) return Status::InvalidArgument("storage.share_dir is empty", "share_dir");
          c.share_dir = v;
          return Status::Ok();
        });
    add("ledger.origin", "CANDOR_LEDGER_ORIGIN",
        "name of this ledger in its signed checkpoints, e.g. your domain (default candor)",
        [](Config& c, const std::string& v) {
          if (!ledger::IsValidKeyName(v))
            return Status::InvalidArgument(
                "ledger.origin must be a non-empty name without spaces or '+'", "ledger.origin");
          c.ledger.origin = v;
          return Status::Ok();
        });
    add("ledger.checkpoint_every", "CANDOR_CHECKPOINT_EVERY",
        "sign a checkpoint after this many events (default 1000)",
        IntSetting(
            1, 100'000'000, [](Config& c, int64_t v) { c.ledger.checkpoint_every_events = v; },
            "ledger.checkpoint_every"));
    add("ledger.checkpoint_interval_ms", "CANDOR_CHECKPOINT_INTERVAL_MS",
        "or after this much time, if anything was added (default 10000)",
        IntSetting(
            10, 86'400'000,
            [](Config& c, int64_t v) {
              c.ledger.checkpoint_interval = std::chrono::milliseconds(v);
            },
            "ledger.checkpoint_interval_ms"));
    add("privacy.master_key_file", "CANDOR_MASTER_KEY_FILE",
        "the vault's master key, created with mode 0600 on first start "
        "(default <data_dir>/vault.key)",
        [](Config& c, const std::string& v) {
          c.vault_key_file = v;
          return Status::Ok();
        });
    add("privacy.published_phone_numbers", "CANDOR_PUBLISHED_PHONE_NUMBERS",
        "the bank's own published phone numbers, comma-separated, which customers may quote and "
        "which are never masked (default +49 116 116)",
        [](Config& c, const std::string& v) {
          std::vector<std::string> numbers;
          for (size_t start = 0; start <= v.size();) {
            size_t comma = v.find(',', start);
            if (comma == std::string::npos) comma = v.size();
            std::string number = v.substr(start, comma - start);
            number.erase(0, number.find_first_not_of(' '));
            number.erase(number.find_last_not_of(' ') + 1);
            if (!number.empty()) numbers.push_back(std::move(number));
            start = comma + 1;
          }
          c.published_phone_numbers = std::move(numbers);
          return Status::Ok();
        });
    add("privacy.tag_names", "CANDOR_TAG_NAMES",
        "also look for names with the trained name tagger: more names in running text are "
        "masked, at about half the scanner's speed (default false)",
        [](Config& c, const std::string& v) {
          if (v != "true" && v != "false") {
            return Status::InvalidArgument(
                "privacy.tag_names must be true or false, not '" + v + "'", "privacy.tag_names");
          }
          c.tag_names = v == "true";
          return Status::Ok();
        });
    add("nlu.intent_model", "CANDOR_INTENT_MODEL",
        "intent model directory from 'candor nlu train' (default: the demo bank's, built with "
        "candor)",
        [](Config& c, const std::string& v) {
          c.intent_model = v;
          return Status::Ok();
        });
    add("nlu.distress_model", "CANDOR_DISTRESS_MODEL",
        "distress model directory (default: the one built with candor from data/nlu/distress)",
        [](Config& c, const std::string& v) {
          c.distress_model = v;
          return Status::Ok();
        });
    add("nlu.language", "CANDOR_LANGUAGE",
        "main language, assumed for messages too short to tell: de or en (default de)",
        [](Config& c, const std::string& v) {
          if (v != "de" && v != "en")
            return Status::InvalidArgument("nlu.language must be de or en", "nlu.language");
          c.language = v;
          return Status::Ok();
        });
    add("policy.file", "CANDOR_POLICY",
        "the policy: what the AI may answer, what a person approves, what only people handle "
        "(default: the demo bank's, data/policy/bank.toml)",
        [](Config& c, const std::string& v) {
          c.policy_file = v;
          return Status::Ok();
        });
    add("policy.intent_catalogue", "CANDOR_INTENT_CATALOGUE",
        "intents.json naming each intent's tags, such as money_dispute (default: the demo "
        "bank's)",
        [](Config& c, const std::string& v) {
          c.intent_catalogue = v;
          return Status::Ok();
        });
    add("llm.endpoint", "CANDOR_LLM_ENDPOINT",
        "an OpenAI-compatible chat-completions URL; it sees only masked text and the passages "
        "found (default: none, answers quote the knowledge base)",
        [](Config& c, const std::string& v) {
          if (!v.empty() && v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
            return Status::InvalidArgument("llm.endpoint must be an http:// or https:// URL",
                                           "llm.endpoint");
          c.llm.endpoint = v;
          return Status::Ok();
        });
    add("llm.model", "CANDOR_LLM_MODEL", "the model's name at that endpoint",
        [](Config& c, const std::string& v) {
          c.llm.model = v;
          return Status::Ok();
        });
    add("llm.api_key_env", "CANDOR_LLM_API_KEY_ENV",
        "name of the environment variable that holds the endpoint's API key (default: none)",
        [](Config& c, const std::string& v) {
          c.llm.api_key_env = v;
          return Status::Ok();
        });
    add("llm.timeout_ms", "CANDOR_LLM_TIMEOUT_MS", "time for one model request (default 20000)",
        IntSetting(
            100, 600'000, [](Config& c, int64_t v) { c.llm.timeout_ms = v; }, "llm.timeout_ms"));
    add("llm.attempts", "CANDOR_LLM_ATTEMPTS",
        "tries per answer when the model fails or is slow (default 2)",
        IntSetting(
            1, 5, [](Config& c, int64_t v) { c.llm.attempts = static_cast<int>(v); },
            "llm.attempts"));
    add("people.time_zone", "CANDOR_TIME_ZONE",
        "the deployment's time zone, for business hours and promised times (default "
        "Europe/Berlin)",
        [](Config& c, const std::string& v) {
          c.time_zone = v;
          return Status::Ok();
        });
    add("people.business_hours", "CANDOR_BUSINESS_HOURS",
        "when people answer, e.g. \"Mo-Fr 08:00-18:00; Sa 09:00-13:00\" (default Mo-Fr "
        "08:00-18:00)",
        [](Config& c, const std::string& v) {
          c.business_hours = v;
          return Status::Ok();
        });
    add("people.remind_before_minutes", "CANDOR_REMIND_BEFORE_MINUTES",
        "remind people this long before a promised reply is due (default 10)",
        IntSetting(
            0, 24 * 60,
            [](Config& c, int64_t v) { c.server.remind_before = std::chrono::minutes(v); },
            "people.remind_before_minutes"));
    add("people.reply_within_business_minutes", "CANDOR_REPLY_WITHIN_BUSINESS_MINUTES",
        "when no one is on duty, the reply promised within this much open time (default 60)",
        IntSetting(
            1, 7 * 24 * 60,
            [](Config& c, int64_t v) { c.server.reply_within_business = std::chrono::minutes(v); },
            "people.reply_within_business_minutes"));
    add("people.late_allowance_minutes", "CANDOR_LATE_ALLOWANCE_MINUTES",
        "a missed promise's new time, this much (open time) later (default 30)",
        IntSetting(
            1, 7 * 24 * 60,
            [](Config& c, int64_t v) { c.server.late_allowance = std::chrono::minutes(v); },
            "people.late_allowance_minutes"));
    add("people.promise_check_interval_ms", "CANDOR_PROMISE_CHECK_INTERVAL_MS",
        "how often promises are checked (default 1000)",
        IntSetting(
            50, 600'000,
            [](Config& c, int64_t v) {
              c.server.promise_check_interval = std::chrono::milliseconds(v);
            },
            "people.promise_check_interval_ms"));
    add("log.level", "CANDOR_LOG_LEVEL", "debug, info, warn, error or off (default info)",
        [](Config& c, const std::string& v) -> Status {
          auto level = ParseLogLevel(v);
          if (!level.ok()) return level.status();
          c.log_level = *level;
          return Status::Ok();
        });
    return t;
  }();
  return kTable;
}

std::string TomlValueText(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  return "<not a scalar>";
}

}  // namespace

const std::vector<SettingInfo>& Settings() {
  static const std::vector<SettingInfo> kInfos = [] {
    std::vector<SettingInfo> infos;
    for (const auto& e : Table()) infos.push_back(e.info);
    return infos;
  }();
  return kInfos;
}

GetEnv ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Status ApplySetting(Config& config, const std::string& toml_key, const std::string& value) {
  for (const auto& e : Table())
    if (e.info.toml_key == toml_key) return e.set(config, value);
  return Status::InvalidArgument("unknown setting '" + toml_key + "'", toml_key);
}

Result<Config> LoadConfig(const std::optional<std::string>& toml_path, const GetEnv& env) {
  Config config;
  if (toml_path) {
    // Debian builds toml++ with exceptions; they stop here and become a Status.
    toml::table table;
    try {
      table = toml::parse_file(*toml_path);
    } catch (const toml::parse_error& error) {
      return Status::InvalidArgument(*toml_path + ":" + std::to_string(error.source().begin.line) +
                                     ": " + std::string(error.description()));
    }
    for (const auto& [section, node] : table) {
      const auto* inner = node.as_table();
      if (inner == nullptr) {
        return Status::InvalidArgument(*toml_path + ":" + std::to_string(node.source().begin.line) +
                                       ": '" + std::string(section.str()) +
                                       "' must be a [section]");
      }
      for (const auto& [key, value] : *inner) {
        const std::string full = std::string(section.str()) + "." + std::string(key.str());
        Status applied = ApplySetting(config, full, TomlValueText(value));
        if (!applied.ok()) {
          return Status::InvalidArgument(*toml_path + ":" +
                                             std::to_string(value.source().begin.line) + ": " +
                                             applied.message(),
                                         full);
        }
      }
    }
  }
  for (const auto& e : Table()) {
    if (auto value = env(e.info.env_var)) {
      Status applied = e.set(config, *value);
      if (!applied.ok()) {
        return Status::InvalidArgument(e.info.env_var + ": " + applied.message(), e.info.env_var);
      }
    }
  }
  return config;
}

}  // namespace candor
