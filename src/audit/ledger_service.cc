#include <pthread.h>

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
      verifier_key_(signer_.VerifierKeyString()) {}

Result<std::unique_ptr<LedgerService>> LedgerService::Open(Store& store, ledger::SigningKey key,
                                                           LedgerOptions options,
                                                           const Clock& clock, Logger& logger) {
  auto signer = ledger::CheckpointSigner::Create(std::move(key), options.origin, options.origin);
  if (!signer.ok()) return signer.status();
  auto service = std::unique_ptr<LedgerService>(
      new LedgerService(store, std::move(*signer), std::move(options), clock, logger));

  // The tree is rebuilt from the leaf hashes written with each event.
  for (int64_t next = 0;;) {
    auto page = store.ReadLedger(next, kPage);
    if (!page.ok()) return page.status();
    for (const auto& record : *page) service->tree_.AppendLeafHash(ToHash(record.leaf_hash));
    if (page->size() < static_cast<size_t>(kPage)) break;
    next = page->back().log_index + 1;
  }
  auto checkpoints = store.ListCheckpoints();
  if (!checkpoints.ok()) return checkpoints.status();
  for (const auto& checkpoint : *checkpoints) {
    auto root = service->tree_.RootAt(static_cast<uint64_t>(checkpoint.tree_size));
    if (!root.ok() || *root != ToHash(checkpoint.root_hash)) {
      service->consistent_ = false;
      logger.Error("ledger_inconsistent",
                   {{"checkpoint_size", checkpoint.tree_size},
                    {"tree_size", service->tree_.Size()},
                    {"action", "no checkpoint will be signed; run 'candor audit verify'"}});
      break;
    }
  }
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
}

void LedgerService::OnCommit(const Event& event) {
  {
    std::unique_lock lock(tree_mu_);
    tree_.AppendLeafHash(ToHash(event.leaf_hash));
  }
  bool due = false;
  {
    std::lock_guard lock(loop_mu_);
    due = ++since_checkpoint_ >= options_.checkpoint_every_events;
  }
  if (due) loop_cv_.notify_one();
}

Result<std::optional<CheckpointRecord>> LedgerService::CheckpointNow() {
  std::lock_guard lock(checkpoint_mu_);
  if (!consistent_) {
    return Status::Internal("the stored ledger disagrees with a signed checkpoint; not signing");
  }
  uint64_t size;
  ledger::Hash root;
  {
    std::shared_lock lock(tree_mu_);
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
  if (size == 0 || (latest_ && static_cast<uint64_t>(latest_->tree_size) == size)) {
    return std::optional<CheckpointRecord>();
  }
  CheckpointRecord record{static_cast<int64_t>(size), std::string(root.begin(), root.end()),
                          signer_.Sign(size, root), clock_.Now()};
  CANDOR_RETURN_IF_ERROR(store_.SaveCheckpoint(record));
  latest_ = record;
  return std::optional<CheckpointRecord>(record);
}

void LedgerService::Start() {
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
