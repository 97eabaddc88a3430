// candor agent add NAME --role agent|admin; candor agent disable|enable|revoke|password NAME
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/wiring.h"
#include "server/auth.h"

namespace candor {
namespace {

// Reads a line from stdin; without echo when stdin is a terminal.
std::optional<std::string> ReadSecretLine(const std::string& prompt) {
  const bool tty = ::isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A new password from the terminal (twice) or one line of stdin; nullopt
// after saying what is wrong.
std::optional<std::string> ReadNewPassword(const std::string& name) {
  auto password = ReadSecretLine("Password for " + name + ": ");
  if (!password) {
    std::cerr << "candor: no password given\n";
    return std::nullopt;
  }
  if (password->size() < 8) {
    std::cerr << "candor: the password must have at least 8 characters\n";
    return std::nullopt;
  }
  if (::isatty(STDIN_FILENO)) {
    auto again = ReadSecretLine("Repeat the password: ");
    if (!again || *again != *password) {
      std::cerr << "candor: the passwords differ\n";
      return std::nullopt;
    }
  }
  return password;
}

}  // namespace

int RunAgentChange(const AgentChangeFlags& flags) {
  if (!InitCrypto().ok()) return 1;
  auto config = LoadConfigOrComplain(flags.common);
  if (!config) return 2;
  std::optional<std::string> new_hash;
  if (flags.change == AgentChange::kPassword) {
    auto password = ReadNewPassword(flags.name);
    if (!password) return 2;
    auto hash = HashPassword(*password);
    if (!hash.ok()) {
      std::cerr << "candor: " << hash.status().message() << "\n";
      return 1;
    }
    new_hash = *hash;
  }
  SystemClock clock;
  auto store = OpenDataStore(*config, clock);
  if (!store.ok()) {
    std::cerr << "candor: " << store.status().message() << "\n";
    return 1;
  }
  auto agent = (*store)->FindAgentByName(flags.name);
  if (!agent.ok()) {
    std::cerr << "candor: "
              << (agent.status().code() == StatusCode::kNotFound
                      ? "no agent named '" + flags.name + "'"
                      : agent.status().message())
              << "\n";
    return agent.status().code() == StatusCode::kNotFound ? 2 : 1;
  }
  Status done;
  std::string said;
  switch (flags.change) {
    case AgentChange::kDisable:
      done = (*store)->SetAgentDisabled(agent->id, true);
      said = "disabled '" + flags.name + "'; their sessions have ended";
      break;
    case AgentChange::kEnable:
      done = (*store)->SetAgentDisabled(agent->id, false);
      said = "enabled '" + flags.name + "'";
      break;
    case AgentChange::kRevoke: {
      auto ended = (*store)->EndAgentSessions(agent->id);
      done = ended.status();
      if (ended.ok())
        said = "ended " + std::to_string(*ended) + " session(s) of '" + flags.name + "'";
      break;
    }
    case AgentChange::kPassword:
      done = (*store)->SetAgentPassword(agent->id, *new_hash);
      said = "changed the password of '" + flags.name + "'; their sessions have ended";
      break;
  }
  if (!done.ok()) {
    std::cerr << "candor: " << done.message() << "\n";
    return 1;
  }
  std::cout << said << "\n";
  return 0;
}

int RunAgentAdd(const AgentAddFlags& flags) {
  if (!InitCrypto().ok()) return 1;
  auto config = LoadConfigOrComplain(flags.common);
  if (!config) return 2;
  auto role = ParseAgentRole(flags.role);
  if (!role.ok()) {
    std::cerr << "candor: " << role.status().message() << "\n";
    return 2;
  }
  if (flags.name.empty() || flags.name.size() > 100) {
    std::cerr << "candor: the name must have 1 to 100 characters\n";
    return 2;
  }
  auto password = ReadNewPassword(flags.name);
  if (!password) return 2;
  auto hash = HashPassword(*password);
  if (!hash.ok()) {
    std::cerr << "candor: " << hash.status().message() << "\n";
    return 1;
  }
  SystemClock clock;
  auto store = OpenDataStore(*config, clock);
  if (!store.ok()) {
    std::cerr << "candor: " << store.status().message() << "\n";
    return 1;
  }
  auto added = (*store)->AddAgent({0, flags.name, *role, *hash, clock.Now()});
  if (!added.ok()) {
    std::cerr << "candor: " << added.status().message() << "\n";
    return added.status().code() == StatusCode::kAlreadyExists ? 2 : 1;
  }
  std::cout << "added " << AgentRoleName(*role) << " '" << flags.name << "'\n";
  return 0;
}

}  // namespace candor
