// candor audit verify [--data DIR | --export FILE] [--key VKEY]
#include <fstream>
#include <iostream>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/wiring.h"
#include "ledger/ledger.h"

namespace candor {
namespace {

void PrintReport(const AuditReport& report) {
  if (report.ok) {
    std::cout << "OK: " << report.records << " records";
    if (report.checkpoints > 0) std::cout << ", " << report.checkpoints << " signed checkpoint(s)";
    if (report.pending > 0) std::cout << ", " << report.pending << " newer than the checkpoint";
    std::cout << " verified\n";
    return;
  }
  std::cout << "FAILED: " << report.problem << "\n";
}

}  // namespace

int RunAuditVerify(const AuditVerifyFlags& flags) {
  std::optional<ledger::VerifierKey> key;
  if (flags.verifier_key) {
    auto parsed = ledger::ParseVerifierKey(*flags.verifier_key);
    if (!parsed.ok()) {
      std::cerr << "candor: --key: " << parsed.status().message() << "\n";
      return 2;
    }
    key = *parsed;
  }

  if (flags.export_file) {
    std::ifstream in(*flags.export_file);
    if (!in) {
      std::cerr << "candor: cannot read " << *flags.export_file << "\n";
      return 2;
    }
    const nlohmann::json exported = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (exported.is_discarded()) {
      std::cerr << "candor: " << *flags.export_file << " is not JSON\n";
      return 2;
    }
    if (!key) {
      std::cerr << "candor: no --key given: trusting the verifier key written in the export\n";
    }
    auto report = AuditExport(exported, key);
    if (!report.ok()) {
      std::cerr << "candor: " << report.status().message() << "\n";
      return 2;
    }
    PrintReport(*report);
    return report->ok ? 0 : 1;
  }

  auto config = LoadConfigOrComplain(flags.common);
  if (!config) return 2;
  if (!key) {
    // The operator's own key, read (never created) from the data directory.
    std::ifstream key_file(SigningKeyPath(*config));
    if (!key_file) {
      std::cerr << "candor: no ledger key at " << SigningKeyPath(*config)
                << "; pass the published key with --key\n";
      return 2;
    }
    auto signing = ledger::LoadOrCreateSigningKey(SigningKeyPath(*config));
    if (!signing.ok()) {
      std::cerr << "candor: " << signing.status().message() << "\n";
      return 2;
    }
    key = *ledger::ParseVerifierKey(
        ledger::FormatVerifierKey(config->ledger.origin, signing->public_key()));
  }
  SystemClock clock;
  auto store = OpenSqliteStore(config->data_dir + "/candor.db", clock, /*must_exist=*/true);
  if (!store.ok()) {
    std::cerr << "candor: " << store.status().message() << "\n";
    return 2;
  }
  auto report = AuditStore(**store, *key);
  if (!report.ok()) {
    std::cerr << "candor: " << report.status().message() << "\n";
    return 1;
  }
  PrintReport(*report);
  return report->ok ? 0 : 1;
}

}  // namespace candor
