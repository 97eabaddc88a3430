// candor: the command line. Wiring only; the work happens in the modules.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <tuple>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/install_layout.h"
#include "cli/kb_cmd.h"
#include "cli/wiring.h"
#include "core/version.h"
#include "knowledge/knowledge.h"
#include "nlu/nlu.h"
#include "privacy/privacy.h"

namespace {

std::string EnvironmentHelp() {
  std::string text = "\nConfiguration (candor.toml key / environment variable):\n";
  for (const auto& s : candor::Settings()) {
    text += "  " + s.toml_key + " / " + s.env_var + "\n      " + s.help + "\n";
  }
  text += "Flags override the environment, which overrides candor.toml.\n";
  return text;
}

void AddCommonFlags(CLI::App* command, candor::CommonFlags& flags) {
  command->add_option("--config", flags.config_path,
                      "TOML configuration file (default: ./candor.toml if it exists)");
  command->add_option("--data", flags.data_dir, "data directory (default: ./var)");
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe on stdout (a supervisor that read the first line and went
  // away) must not kill the server; writes then fail instead.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{
      "candor: a customer-service engine in which an AI and people answer customers "
      "together, built so that customers can trust it."};
  app.require_subcommand(1);
  app.footer(EnvironmentHelp());

  app.add_subcommand("version", "print the version")->callback([] {
    std::cout << "candor " << candor::kVersion << "\n";
  });

  candor::ServeFlags serve;
  auto* serve_cmd = app.add_subcommand("serve", "run the server");
  AddCommonFlags(serve_cmd, serve.common);
  serve_cmd->add_option("--port", serve.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--bind", serve.bind, "address to listen on");
  serve_cmd->add_option("--web", serve.web_dir,
                        "the built web front end (default: the one candor ships with)");
  serve_cmd->add_flag("--demo", serve.demo,
                      "seed a demo agent and conversation into an empty database");

  candor::AgentAddFlags agent_add;
  auto* agent_cmd = app.add_subcommand("agent", "manage the people who answer customers");
  agent_cmd->require_subcommand(1);
  auto* add_cmd = agent_cmd->add_subcommand(
      "add", "add an agent; the password is read from the terminal (or one line of stdin)");
  AddCommonFlags(add_cmd, agent_add.common);
  add_cmd->add_option("name", agent_add.name, "the agent's login name")->required();
  add_cmd->add_option("--role", agent_add.role, "agent or admin")
      ->check(CLI::IsMember({"agent", "admin"}));
  candor::AgentChangeFlags agent_change;
  std::vector<std::pair<CLI::App*, candor::AgentChange>> change_cmds;
  for (const auto& [name, change, help] :
       std::vector<std::tuple<std::string, candor::AgentChange, std::string>>{
           {"disable", candor::AgentChange::kDisable,
            "the agent can no longer log in; every session of theirs ends now"},
           {"enable", candor::AgentChange::kEnable, "a disabled agent may log in again"},
           {"revoke", candor::AgentChange::kRevoke, "every session of the agent ends now"},
           {"password", candor::AgentChange::kPassword,
            "set a new password (read like 'agent add'); every session of the agent ends"}}) {
    auto* cmd = agent_cmd->add_subcommand(name, help);
    AddCommonFlags(cmd, agent_change.common);
    cmd->add_option("name", agent_change.name, "the agent's login name")->required();
    change_cmds.emplace_back(cmd, change);
  }

  candor::AuditVerifyFlags audit_verify;
  auto* audit_cmd = app.add_subcommand("audit", "check the ledger without trusting the server");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify",
      "recompute every record, check every signed checkpoint; exit 1 naming the first bad record");
  AddCommonFlags(verify_cmd, audit_verify.common);
  verify_cmd->add_option("--export", audit_verify.export_file,
                         "check a conversation export (from /api/v1/conversations/{id}/export)");
  verify_cmd->add_option("--key", audit_verify.verifier_key,
                         "the published verifier key (default: the data directory's own)");

  auto* pii_cmd = app.add_subcommand("pii", "find and mask personal data");
  pii_cmd->require_subcommand(1);
  std::string scan_format = "jsonl";
  auto* scan_cmd = pii_cmd->add_subcommand(
      "scan",
      "read lines of text on stdin; write one JSON object per line: the masked text and "
      "each finding's type and byte offsets");
  scan_cmd->add_option("--format", scan_format, "output format")->check(CLI::IsMember({"jsonl"}));
  std::string eval_file;
  bool eval_json = false;
  std::string eval_format = "jsonl";
  auto* eval_cmd = pii_cmd->add_subcommand(
      "eval",
      "precision, recall and F1 per type on a labelled file (exact spans for jsonl; for the "
      "public sets a finding covering half a label)");
  eval_cmd->add_option("file", eval_file, "lines of {\"text\", \"entities\": [{type, start, end}]}")
      ->required();
  eval_cmd->add_flag("--json", eval_json, "one JSON object instead of a table");
  eval_cmd
      ->add_option("--format", eval_format,
                   "jsonl, germeval (GermEval 2014 TSV, persons), wnut17 (persons) or presidio "
                   "(synth_dataset_v2.json)")
      ->check(CLI::IsMember({"jsonl", "germeval", "wnut17", "presidio"}));

  auto* nlu_cmd =
      app.add_subcommand("nlu", "understand customers: train and measure intent models");
  nlu_cmd->require_subcommand(1);
  candor::nlu::TrainFlags nlu_train;
  auto* train_cmd = nlu_cmd->add_subcommand(
      "train", "train an intent model (fastText + logistic regression, calibrated) from examples");
  train_cmd->add_option("--data", nlu_train.data, "examples; repeat to combine files")->required();
  train_cmd
      ->add_option("--format", nlu_train.format,
                   "csv (text,category), jsonl ({text, intent}) or clinc (data_full.json)")
      ->required()
      ->check(CLI::IsMember({"csv", "jsonl", "clinc"}));
  train_cmd->add_option("--out", nlu_train.out, "model directory to write")->required();
  train_cmd->add_option("--seed", nlu_train.options.seed, "random seed (same seed, same model)");
  train_cmd->add_option("--epochs", nlu_train.options.epochs, "fastText epochs")
      ->check(CLI::Range(1, 10000));
  train_cmd
      ->add_option("--threads", nlu_train.options.threads,
                   "threads (the model does not depend on it)")
      ->check(CLI::Range(1, 64));
  train_cmd->add_flag("--quiet", nlu_train.quiet, "no progress bar");
  candor::nlu::EvalFlags nlu_eval;
  auto* nlu_eval_cmd = nlu_cmd->add_subcommand(
      "eval",
      "accuracy, macro-F1, in-scope accuracy, out-of-scope precision and recall, "
      "confusions, and an SVG of the threshold trade-off");
  nlu_eval_cmd->add_option("--model", nlu_eval.model, "model directory")->required();
  nlu_eval_cmd->add_option("--data", nlu_eval.data, "labelled examples")->required();
  nlu_eval_cmd->add_option("--format", nlu_eval.format, "csv, jsonl or clinc (its test split)")
      ->required()
      ->check(CLI::IsMember({"csv", "jsonl", "clinc"}));
  nlu_eval_cmd->add_option("--plot", nlu_eval.plot,
                           "also write the threshold trade-off as an SVG to this file");
  nlu_eval_cmd->add_flag("--json", nlu_eval.json, "one JSON object instead of a table");
  std::string predict_model;
  auto* predict_cmd = nlu_cmd->add_subcommand(
      "predict",
      "read lines on stdin; write language, label, confidence and in_scope as JSON lines");
  predict_cmd->add_option("--model", predict_model, "model directory")->required();

  auto* kb_cmd =
      app.add_subcommand("kb", "the knowledge base answers cite: import, search, measure");
  kb_cmd->require_subcommand(1);
  candor::CommonFlags kb_common;
  std::string kb_articles;
  auto* kb_import_cmd = kb_cmd->add_subcommand(
      "import",
      "index the .md and .html articles of DIR into <data>/kb; only changed ones are "
      "re-indexed, vanished ones removed");
  AddCommonFlags(kb_import_cmd, kb_common);
  kb_import_cmd->add_option("dir", kb_articles, "directory of articles")->required();
  std::string kb_query;
  std::string kb_language = "de";
  size_t kb_limit = 5;
  bool kb_json = false;
  auto* kb_search_cmd = kb_cmd->add_subcommand("search", "the best passages for a question");
  AddCommonFlags(kb_search_cmd, kb_common);
  kb_search_cmd->add_option("query", kb_query, "the question")->required();
  kb_search_cmd->add_option("--lang", kb_language, "de or en")->check(CLI::IsMember({"de", "en"}));
  kb_search_cmd->add_option("--limit", kb_limit, "passages to show")->check(CLI::Range(1, 100));
  kb_search_cmd->add_flag("--json", kb_json, "one JSON object");
  std::string kb_questions;
  auto* kb_eval_cmd =
      kb_cmd->add_subcommand("eval", "recall@1, recall@5 and MRR of search on a question set");
  AddCommonFlags(kb_eval_cmd, kb_common);
  kb_eval_cmd
      ->add_option("--questions", kb_questions,
                   "lines of {\"question\", \"lang\", \"article\" (file name or null)}")
      ->required();
  kb_eval_cmd->add_flag("--json", kb_json, "one JSON object");
  bool kb_details = false;
  kb_eval_cmd->add_flag("--details", kb_details,
                        "first one JSON line per question: verdict, confidence, evidence");

  candor::AskFlags ask;
  auto* ask_cmd = app.add_subcommand(
      "ask",
      "run one message through the whole pipeline on a scratch database and print the "
      "decision, the answer, its sources and the steps");
  AddCommonFlags(ask_cmd, ask.common);
  ask_cmd->add_option("text", ask.text, "the customer's message")->required();
  ask_cmd->add_flag("--json", ask.json,
                    "one JSON object: action, intent, confidence, language, signals, rule, "
                    "reason, answer, sources, steps");
  ask_cmd->add_flag("--person", ask.person, "as if the customer had asked for a person");

  auto* policy_cmd = app.add_subcommand("policy", "the rules of what the AI may answer");
  policy_cmd->require_subcommand(1);
  std::string policy_file;
  std::string policy_catalogue;
  auto* policy_check_cmd =
      policy_cmd->add_subcommand("check", "check a policy file; errors name their line");
  policy_check_cmd->add_option("file", policy_file, "policy.toml")->required();
  policy_check_cmd->add_option("--intents", policy_catalogue,
                               "intents.json the rules' intents and tags must come from "
                               "(default: the demo bank's)");
  candor::AskFlags explain;
  explain.explain = true;
  auto* policy_explain_cmd = policy_cmd->add_subcommand(
      "explain",
      "understand TEXT and print every rule tried, why it matched or not, and the "
      "decision");
  AddCommonFlags(policy_explain_cmd, explain.common);
  policy_explain_cmd->add_option("text", explain.text, "the customer's message")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    std::cerr << "Run 'candor --help' for usage.\n";
    return 2;
  }
  if (serve_cmd->parsed()) return candor::RunServe(serve);
  if (ask_cmd->parsed()) return candor::RunAsk(ask);
  if (policy_explain_cmd->parsed()) return candor::RunAsk(explain);
  if (policy_check_cmd->parsed()) {
    return candor::policy::RunPolicyCheck(policy_file,
                                          policy_catalogue.empty()
                                              ? candor::LocateShippedFiles("").DemoIntentCatalogue()
                                              : policy_catalogue,
                                          std::cout, std::cerr);
  }
  if (add_cmd->parsed()) return candor::RunAgentAdd(agent_add);
  for (const auto& [cmd, change] : change_cmds) {
    if (cmd->parsed()) {
      agent_change.change = change;
      return candor::RunAgentChange(agent_change);
    }
  }
  if (verify_cmd->parsed()) return candor::RunAuditVerify(audit_verify);
  if (scan_cmd->parsed()) return candor::privacy::RunPiiScan(std::cin, std::cout);
  if (eval_cmd->parsed()) {
    return candor::privacy::RunPiiEval(eval_file, eval_json, std::cout,
                                       *candor::privacy::ParseDatasetFormat(eval_format));
  }
  if (kb_import_cmd->parsed() || kb_search_cmd->parsed() || kb_eval_cmd->parsed()) {
    auto config = candor::LoadConfigOrComplain(kb_common);
    if (!config) return 2;
    const std::string index = config->data_dir + "/kb";
    if (kb_import_cmd->parsed()) {
      return candor::knowledge::RunKbImport(index, kb_articles, isatty(STDERR_FILENO) != 0,
                                            std::cout, std::cerr);
    }
    if (kb_search_cmd->parsed()) {
      return candor::knowledge::RunKbSearch(index, kb_query, kb_language, kb_limit, kb_json,
                                            std::cout, std::cerr);
    }
    return candor::RunKbEval(*config, kb_questions, kb_json, kb_details);
  }
  nlu_train.interactive = isatty(STDERR_FILENO) != 0;
  if (train_cmd->parsed()) return candor::nlu::RunNluTrain(nlu_train, std::cout, std::cerr);
  if (nlu_eval_cmd->parsed()) return candor::nlu::RunNluEval(nlu_eval, std::cout, std::cerr);
  if (predict_cmd->parsed()) {
    return candor::nlu::RunNluPredict(predict_model, std::cin, std::cout, std::cerr);
  }
  return 0;
}
