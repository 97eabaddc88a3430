#include <pthread.h>

#include <algorithm>

#include "audit/audit.h"

namespace candor {
namespace {

constexpr int kPage = 10'000;

ledger::Hash ToHash(const std::string& raw) {
  ledger::Hash hash{};
  if (raw.size() == hash.size()) std::copy(raw.begin(), raw.end(), hash.begin());
  return hash;
}

}  // namespace

LedgerService::LedgerService(Store& store, ledger::CheckpointSigner signer, LedgerOptions options,
                             const Clock& clock, Logger& logger)
    : store_(store),
      signer_(std::move(signer)),
      options_(std::move(options)),
      clock_(clock),
      logger_(logger),
      verifier_key_(signer_.VerifierKeyString()),
      tree_(options_.block_height,
            [&store](uint64_t first, uint64_t count) -> Result<std::vector<ledger::Hash>> {
              auto stored =
                  store.ReadLeafHashes(static_cast<int64_t>(first), static_cast<int>(count));
              if (!stored.ok()) return stored.status();
              std::vector<ledger::Hash> leaves;
              leaves.reserve(stored->size());
              for (const auto& leaf : *stored) leaves.push_back(ToHash(leaf));
              return leaves;
            }) {}

// Start-up reads what was saved, not the whole log: the roots of the tree's
// complete blocks, then the leaves after them. The saved roots are trusted
// only as far as a signed checkpoint vouches for them: the newest checkpoint
// they cover must have its root (which reads that block's leaves back and
// checks them too); every checkpoint over the leaves read now is checked as
// the tree passes its size. 'candor audit verify' rehashes everything.
Status LedgerService::Rebuild(const std::vector<CheckpointRecord>& checkpoints) {
  const uint64_t width = uint64_t{1} << tree_.block_height();
  auto saved = store_.ReadLedgerBlocks(tree_.block_height());
  if (!saved.ok()) return saved.status();
  std::vector<ledger::Hash> roots;
  for (const auto& root : *saved) roots.push_back(ToHash(root));
  if (!roots.empty()) {
    // Blocks beyond the stored log (a database put back from an older copy)
    // are not used.
    auto last = store_.ReadLeafHashes(static_cast<int64_t>(roots.size() * width - 1), 1);
    if (!last.ok()) return last.status();
    if (last->empty()) {
      logger_.Warn("ledger_blocks_ignored", {{"blocks", static_cast<int64_t>(roots.size())},
                                             {"reason", "the stored log is shorter"}});
      roots.clear();
    }
  }
  CANDOR_RETURN_IF_ERROR(tree_.RestoreBlocks(roots));
  saved_blocks_ = roots.size();
  const uint64_t restored = tree_.Size();

  auto check = [&](const CheckpointRecord& checkpoint, const ledger::Hash& root) {
    if (root == ToHash(checkpoint.root_hash)) return;
    if (consistent_) {
      logger_.Error("ledger_inconsistent",
                    {{"checkpoint_size", checkpoint.tree_size},
                     {"tree_size", tree_.Size()},
                     {"action", "no checkpoint will be signed; run 'candor audit verify'"}});
    }
    consistent_ = false;
  };
  // The newest checkpoint within the saved blocks.
  auto covered = std::find_if(checkpoints.rbegin(), checkpoints.rend(), [&](const auto& c) {
    return static_cast<uint64_t>(c.tree_size) <= restored;
  });
  if (restored > 0 && covered != checkpoints.rend()) {
    auto root = tree_.RootAt(static_cast<uint64_t>(covered->tree_size));
    if (!root.ok()) {
      logger_.Error("ledger_blocks_unreadable", {{"error", root.status().message()}});
      consistent_ = false;
    } else {
      check(*covered, *root);
    }
  }
  // The rest of the log, leaf by leaf, checking each checkpoint on the way.
  auto next = std::find_if(checkpoints.begin(), checkpoints.end(), [&](const auto& c) {
    return restored == 0 || static_cast<uint64_t>(c.tree_size) > restored;
  });
  // Checkpoints are stored by size and the tree grows one leaf at a time,
  // so each is met exactly at its size and checked against the current root.
  auto check_due = [&] {
    for (; next != checkpoints.end() && static_cast<uint64_t>(next->tree_size) == tree_.Size();
         ++next) {
      check(*next, tree_.Root());
    }
  };
  check_due();
  while (true) {
    auto page = store_.ReadLeafHashes(static_cast<int64_t>(tree_.Size()), kPage);
    if (!page.ok()) return page.status();
    for (const auto& leaf : *page) {
      tree_.AppendLeafHash(ToHash(leaf));
      check_due();
    }
    if (page->size() < static_cast<size_t>(kPage)) break;
  }
  // Checkpoints beyond the stored log: it lost records.
  if (next != checkpoints.end()) check(*next, ledger::Hash{});
  if (!checkpoints.empty()) latest_ = checkpoints.back();
  return SaveNewBlocks();
}

// The roots of blocks completed since the last save, so the next start-up
// need not rehash them.
Status LedgerService::SaveNewBlocks() {
  std::vector<std::string> roots;
  uint64_t first;
  {
    std::shared_lock lock(tree_mu_);
    first = saved_blocks_;
    for (uint64_t block = first; block < tree_.CompleteBlocks(); ++block) {
      auto root = tree_.BlockRoot(block);
      if (!root.ok()) return root.status();
      roots.emplace_back(root->begin(), root->end());
    }
  }
  if (roots.empty()) return Status::Ok();
  Status saved = store_.SaveLedgerBlocks(tree_.block_height(), static_cast<int64_t>(first), roots);
  if (!saved.ok()) return saved;
  std::unique_lock lock(tree_mu_);
  saved_blocks_ = std::max<uint64_t>(saved_blocks_, first + roots.size());
  return Status::Ok();
}

Result<std::unique_ptr<LedgerService>> LedgerService::Open(Store& store, ledger::SigningKey key,
                                                           LedgerOptions options,
                                                           const Clock& clock, Logger& logger) {
  auto signer = ledger::CheckpointSigner::Create(std::move(key), options.origin, options.origin);
  if (!signer.ok()) return signer.status();
  auto service = std::unique_ptr<LedgerService>(
      new LedgerService(store, std::move(*signer), std::move(options), clock, logger));

  auto checkpoints = store.ListCheckpoints();
  if (!checkpoints.ok()) return checkpoints.status();
  CANDOR_RETURN_IF_ERROR(service->Rebuild(*checkpoints));
  if (!checkpoints->empty()) service->latest_ = checkpoints->back();
  return service;
}

LedgerService::~LedgerService() { Stop(); }

void LedgerService::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  Status saved = SaveNewBlocks();  // so the next start reads them, not the leaves
  if (!saved.ok()) logger_.Error("ledger_blocks_not_saved", {{"error", saved.message()}});
}

void LedgerService::OnCommit(const Event& event) {
  {
    std::unique_lock lock(tree_mu_);
    Status added = AddLeavesThrough(event.log_index, ToHash(event.leaf_hash));
    if (!added.ok()) {
      logger_.Error("ledger_append_failed", {{"log_index", event.log_index},
                                             {"tree_size", tree_.Size()},
                                             {"error", added.message()}});
    }
  }
  bool due = false;
  {
    std::lock_guard lock(loop_mu_);
    due = ++since_checkpoint_ >= options_.checkpoint_every_events;
  }
  if (due) loop_cv_.notify_one();
}

// The one place leaves join the tree. Whoever wrote an event (the server, a
// seeding or migration step before the listener was installed), the tree
// takes the stored log in order: leaves it has not seen are read from the
// store, and a leaf it has already is only compared.
Status LedgerService::AddLeavesThrough(int64_t log_index, const ledger::Hash& leaf) {
  const auto index = static_cast<uint64_t>(log_index);
  if (index < tree_.Size()) {
    auto held = tree_.LeafHash(index);
    if (held.ok() && *held == leaf) return Status::Ok();
    return Status::Internal("leaf " + std::to_string(index) + " differs from the tree's");
  }
  if (tree_.Size() < index) {
    // Earlier events are committed before this one is reported.
    CANDOR_RETURN_IF_ERROR(CatchUpWithStore());
    if (tree_.Size() > index) return AddLeavesThrough(log_index, leaf);
    if (tree_.Size() < index) {
      return Status::Internal("the store has no record " + std::to_string(tree_.Size()));
    }
  }
  tree_.AppendLeafHash(leaf);
  return Status::Ok();
}

Status LedgerService::CatchUpWithStore() {
  while (true) {
    auto records = store_.ReadLedger(static_cast<int64_t>(tree_.Size()), kPage);
    if (!records.ok()) return records.status();
    if (records->empty()) return Status::Ok();
    for (const auto& record : *records) {
      if (static_cast<uint64_t>(record.log_index) != tree_.Size()) {
        return Status::Internal("the stored log jumps to " + std::to_string(record.log_index));
      }
      tree_.AppendLeafHash(ToHash(record.leaf_hash));
    }
  }
}

// Signing blesses the tree, so the tree must be the stored log: its last leaf
// is compared with the stored record at that index (a tree that missed or
// repeated a leaf differs there), and it must extend the last checkpoint.
Status LedgerService::CheckTreeMatchesStore() const {
  const uint64_t size = tree_.Size();
  if (size == 0) return Status::Ok();
  auto stored = store_.ReadLedger(static_cast<int64_t>(size - 1), 1);
  if (!stored.ok()) return stored.status();
  auto held = tree_.LeafHash(size - 1);
  if (stored->empty() || stored->front().log_index != static_cast<int64_t>(size - 1) ||
      !held.ok() || ToHash(stored->front().leaf_hash) != *held) {
    return Status::Internal("the tree of " + std::to_string(size) +
                            " leaves does not match the stored log");
  }
  return Status::Ok();
}

Result<std::optional<CheckpointRecord>> LedgerService::CheckpointNow() {
  std::lock_guard lock(checkpoint_mu_);
  if (!consistent_) {
    return Status::Internal("the stored ledger disagrees with a signed checkpoint; not signing");
  }
  uint64_t size;
  ledger::Hash root;
  {
    std::unique_lock lock(tree_mu_);
    Status matches = CheckTreeMatchesStore();
    // Then everything stored so far, also what no listener has reported yet.
    if (matches.ok()) matches = CatchUpWithStore();
    if (!matches.ok()) {
      logger_.Error("ledger_mismatch", {{"tree_size", tree_.Size()}, {"error", matches.message()}});
      return Status::Internal(matches.message() + "; not signing");
    }
    size = tree_.Size();
    root = tree_.Root();
    // Never sign a tree that does not extend the last checkpoint.
    if (latest_) {
      auto earlier = tree_.RootAt(static_cast<uint64_t>(latest_->tree_size));
      if (!earlier.ok() || *earlier != ToHash(latest_->root_hash)) {
        return Status::Internal("the tree no longer extends the last checkpoint; not signing");
      }
    }
  }
  // The empty tree is signed too, so a new ledger has a checkpoint to serve.
  if (latest_ && static_cast<uint64_t>(latest_->tree_size) == size) {
    return std::optional<CheckpointRecord>();
  }
  CheckpointRecord record{static_cast<int64_t>(size), std::string(root.begin(), root.end()),
                          signer_.Sign(size, root), clock_.Now()};
  CANDOR_RETURN_IF_ERROR(store_.SaveCheckpoint(record));
  latest_ = record;
  return std::optional<CheckpointRecord>(record);
}

void LedgerService::Start() {
  // A transparency log always serves its latest signed checkpoint: sign what
  // is there now (the empty tree of a new ledger too) before anything else.
  auto issued = CheckpointNow();
  if (!issued.ok()) logger_.Error("checkpoint_failed", {{"error", issued.status().message()}});
  loop_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ledger");
    Loop();
  });
}

void LedgerService::Loop() {
  std::unique_lock lock(loop_mu_);
  while (true) {
    loop_cv_.wait_for(lock, options_.checkpoint_interval, [this] {
      return stopping_ || since_checkpoint_ >= options_.checkpoint_every_events;
    });
    const bool stopping = stopping_;
    since_checkpoint_ = 0;
    lock.unlock();
    auto issued = CheckpointNow();
    if (!issued.ok()) logger_.Error("checkpoint_failed", {{"error", issued.status().message()}});
    Status saved = SaveNewBlocks();
    if (!saved.ok()) logger_.Error("ledger_blocks_not_saved", {{"error", saved.message()}});
    lock.lock();
    if (stopping) return;  // the last checkpoint is out
  }
}

std::optional<CheckpointRecord> LedgerService::Latest() const {
  std::lock_guard lock(checkpoint_mu_);
  return latest_;
}

uint64_t LedgerService::Size() const {
  std::shared_lock lock(tree_mu_);
  return tree_.Size();
}

Result<InclusionProof> LedgerService::Inclusion(uint64_t index, uint64_t tree_size) const {
  std::shared_lock lock(tree_mu_);
  auto proof = tree_.InclusionProof(index, tree_size);
  if (!proof.ok()) return proof.status();
  auto leaf = tree_.LeafHash(index);
  auto root = tree_.RootAt(tree_size);
  if (!leaf.ok()) return leaf.status();
  if (!root.ok()) return root.status();
  return InclusionProof{index, tree_size, *leaf, *root, std::move(*proof)};
}

Result<std::vector<ledger::Hash>> LedgerService::Consistency(uint64_t from, uint64_t to) const {
  std::shared_lock lock(tree_mu_);
  return tree_.ConsistencyProof(from, to);
}

}  // namespace candor
