// The `candor` subcommands. Each returns the process exit code:
// 0 success, 1 failure at run time, 2 bad usage or configuration.
#pragma once

#include <optional>
#include <string>

namespace candor {

struct CommonFlags {
  std::optional<std::string> config_path;  // --config, else ./candor.toml if present
  std::optional<std::string> data_dir;     // --data
};

struct ServeFlags {
  CommonFlags common;
  std::optional<int> port;
  std::optional<std::string> bind;
  std::optional<std::string> web_dir;
  bool demo = false;
};
int RunServe(const ServeFlags& flags);

struct AgentAddFlags {
  CommonFlags common;
  std::string name;
  std::string role = "agent";
};
int RunAgentAdd(const AgentAddFlags& flags);

// candor agent disable|enable|revoke|password NAME. Each takes effect for a
// running server at once for requests, and for open streams at their next
// session check (at most a heartbeat later).
enum class AgentChange { kDisable, kEnable, kRevoke, kPassword };
struct AgentChangeFlags {
  CommonFlags common;
  std::string name;
  AgentChange change = AgentChange::kRevoke;
};
int RunAgentChange(const AgentChangeFlags& flags);

struct AuditVerifyFlags {
  CommonFlags common;
  std::optional<std::string> export_file;   // check this export instead of the database
  std::optional<std::string> verifier_key;  // the published key; default: the data dir's
};
// Exit code 0 when everything verifies, 1 naming the first bad record.
int RunAuditVerify(const AuditVerifyFlags& flags);

struct AskFlags {
  CommonFlags common;
  std::string text;
  bool json = false;
  bool person = false;   // as if the customer had pressed "talk to a person"
  bool explain = false;  // print the policy's trace of rules tried instead
};
// One message through the whole pipeline on a scratch database: the decision,
// the answer and its sources, and the steps with their times.
int RunAsk(const AskFlags& flags);

}  // namespace candor
