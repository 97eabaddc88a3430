// Audit: the ledger at work. LedgerService keeps the Merkle tree over every
// committed event, issues signed checkpoints and answers proofs; the audit
// functions check a database or a customer's export against those
// checkpoints without trusting the server that produced them (principle P9).
//
// Thread-safety: LedgerService is thread-safe (OnCommit is called from the
// store's commit thread, proofs from HTTP threads). The free functions are
// pure apart from reading the store they are given.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/status.h"
#include "ledger/ledger.h"
#include "store/store.h"

namespace candor {

struct LedgerOptions {
  std::string origin = "candor";  // the checkpoint's first line and the key's name
  int64_t checkpoint_every_events = 1000;
  std::chrono::milliseconds checkpoint_interval{10'000};
  // The tree keeps blocks of 2^block_height leaves by their root and saves
  // those roots, so start-up reads one root per block instead of every leaf.
  int block_height = 10;
};

struct InclusionProof {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  ledger::Hash leaf_hash{};
  ledger::Hash root{};
  std::vector<ledger::Hash> proof;
};

class LedgerService {
 public:
  // Rebuilds the tree from the saved block roots and the leaves after them,
  // and checks it against the stored checkpoints (see Rebuild); if they
  // disagree the service still answers proofs but signs nothing (consistent()
  // is false), since signing would bless the change.
  static Result<std::unique_ptr<LedgerService>> Open(Store& store, ledger::SigningKey key,
                                                     LedgerOptions options, const Clock& clock,
                                                     Logger& logger);
  ~LedgerService();  // Stop()

  // Stops the background thread after a last checkpoint. The store must still
  // be open; call before closing it.
  void Stop();

  // Appends a committed event's leaf, and first any stored leaf before it that
  // the tree has not seen (events written before this listener was installed).
  // Called in commit order.
  void OnCommit(const Event& event);
  // Signs and stores a checkpoint of the current tree if it grew since the last.
  Result<std::optional<CheckpointRecord>> CheckpointNow();
  // Signs the tree as it is (the empty one too) and starts issuing checkpoints
  // every N events or T time, whichever comes first. Nothing is signed unless
  // the tree matches the stored log.
  void Start();

  std::optional<CheckpointRecord> Latest() const;
  uint64_t Size() const;
  bool consistent() const { return consistent_; }
  const std::string& verifier_key() const { return verifier_key_; }

  Result<InclusionProof> Inclusion(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<ledger::Hash>> Consistency(uint64_t from, uint64_t to) const;

 private:
  LedgerService(Store& store, ledger::CheckpointSigner signer, LedgerOptions options,
                const Clock& clock, Logger& logger);
  void Loop();
  Status Rebuild(const std::vector<CheckpointRecord>& checkpoints);  // in Open
  Status SaveNewBlocks();
  Status AddLeavesThrough(int64_t log_index, const ledger::Hash& leaf);  // tree_mu_ held
  Status CheckTreeMatchesStore() const;                                  // tree_mu_ held
  Status CatchUpWithStore();  // tree_mu_ held: every stored leaf not in the tree

  // Constant after construction.
  Store& store_;
  const ledger::CheckpointSigner signer_;
  const LedgerOptions options_;
  const Clock& clock_;
  Logger& logger_;
  const std::string verifier_key_;
  bool consistent_ = true;  // set once in Open

  mutable std::shared_mutex tree_mu_;
  ledger::MerkleTree tree_;    // guarded by tree_mu_
  uint64_t saved_blocks_ = 0;  // guarded by tree_mu_: block roots the store has

  mutable std::mutex checkpoint_mu_;        // one signer at a time
  std::optional<CheckpointRecord> latest_;  // guarded by checkpoint_mu_

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;         // guarded by loop_mu_
  int64_t since_checkpoint_ = 0;  // guarded by loop_mu_
  std::thread loop_;
};

// What an audit found. `ok` with counts, or the first problem, naming the record.
struct AuditReport {
  bool ok = true;
  int64_t records = 0;
  int64_t checkpoints = 0;
  int64_t pending = 0;         // records newer than the newest checkpoint (export)
  std::string problem;         // empty when ok
  int64_t bad_log_index = -1;  // the record at fault, when one can be named
};

// Recomputes every leaf from the stored rows, rebuilds the tree, checks every
// checkpoint's signature, its root, and the consistency between successive
// checkpoints. Catches edited, deleted, reordered and truncated records.
Result<AuditReport> AuditStore(Store& store, const ledger::VerifierKey& key);

// How an export shows one event to its reader: the event's JSON, and whether
// its stored body and salt go with it. Without them the commitment still
// proves that the event is in the ledger, unchanged.
struct ExportedEvent {
  nlohmann::json event;
  bool with_body = true;
};
using ExportView = std::function<ExportedEvent(const Event&)>;

// A conversation with everything needed to check it: each event with its
// stored body, salt, leaf hash and inclusion proof to the newest checkpoint.
// `view` (default: everything) decides what of each event the reader gets.
// NotFound for a conversation that does not exist.
Result<nlohmann::json> ExportConversation(Store& store, const LedgerService& ledger,
                                          const std::string& conversation_id,
                                          const ExportView& view = {});
// Checks an export: signature, each event's commitment, leaf and inclusion
// proof, and that the conversation's sequence has no gap. `key` overrides the
// verifier key written in the export (an auditor should pass the published one).
Result<AuditReport> AuditExport(const nlohmann::json& exported,
                                const std::optional<ledger::VerifierKey>& key);

}  // namespace candor
