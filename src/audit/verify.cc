// Audits of a database and of a customer's export. Every check recomputes from
// the data; nothing the server wrote about itself (a stored leaf hash, a stored
// root) is taken on trust where it can be recomputed.
#include <map>

#include "audit/audit.h"

namespace candor {
namespace {

constexpr int kPage = 10'000;

std::string Describe(const LedgerRecord& r) {
  return "record " + std::to_string(r.log_index) + " (conversation " + r.conversation_id +
         ", seq " + std::to_string(r.seq) + ")";
}

AuditReport Fail(AuditReport report, std::string problem, int64_t log_index = -1) {
  report.ok = false;
  report.problem = std::move(problem);
  report.bad_log_index = log_index;
  return report;
}

std::string ToRaw(const ledger::Hash& hash) { return std::string(hash.begin(), hash.end()); }

std::string Hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::string> Unhex(const std::string& hex) {
  if (hex.size() % 2 != 0) return Status::InvalidArgument("odd-length hex");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not lower-case hex");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The leaf hash a record must have, from its content when it still has it.
ledger::Hash RecomputeLeaf(const LedgerRecord& r, const ledger::Hash& commitment) {
  return ledger::HashLeaf(
      ledger::EncodeLeaf({r.log_index, r.conversation_id, r.seq, r.kind, r.at_ms, commitment}));
}

}  // namespace

Result<AuditReport> AuditStore(Store& store, const ledger::VerifierKey& key) {
  AuditReport report;
  ledger::MerkleTree tree;
  std::map<std::string, int64_t> last_seq;
  int64_t expected = 0;
  for (;;) {
    auto page = store.ReadLedger(expected, kPage);
    if (!page.ok()) return page.status();
    for (const auto& r : *page) {
      if (r.log_index != expected) {
        return Fail(report,
                    "record " + std::to_string(expected) + " is missing: the log jumps from " +
                        std::to_string(expected - 1) + " to " + std::to_string(r.log_index) +
                        " (deleted?)",
                    expected);
      }
      int64_t& last = last_seq[r.conversation_id];
      if (r.seq != last + 1) {
        return Fail(report,
                    Describe(r) + " follows seq " + std::to_string(last) +
                        " of its conversation (a record was removed or moved)",
                    r.log_index);
      }
      last = r.seq;
      auto commitment = ledger::HashFromBytes(r.commitment);
      if (!commitment.ok())
        return Fail(report, Describe(r) + " has no valid commitment", r.log_index);
      const bool erased = r.body.empty() && r.salt.empty();
      if (!erased && ledger::CommitContent(r.salt, r.body) != *commitment) {
        return Fail(report,
                    Describe(r) + " was changed: its content no longer matches its commitment",
                    r.log_index);
      }
      const ledger::Hash leaf = RecomputeLeaf(r, *commitment);
      if (ToRaw(leaf) != r.leaf_hash) {
        return Fail(report, Describe(r) + " was changed: its metadata no longer matches its leaf",
                    r.log_index);
      }
      tree.AppendLeafHash(leaf);
      ++expected;
    }
    if (page->size() < static_cast<size_t>(kPage)) break;
  }
  report.records = expected;

  auto checkpoints = store.ListCheckpoints();
  if (!checkpoints.ok()) return checkpoints.status();
  std::optional<ledger::Checkpoint> previous;
  for (const auto& stored : *checkpoints) {
    auto checkpoint = ledger::VerifyCheckpoint(stored.note, key.public_key, key.name);
    const std::string name = "the checkpoint of size " + std::to_string(stored.tree_size);
    if (!checkpoint.ok()) {
      return Fail(report, name + " does not verify: " + checkpoint.status().message());
    }
    if (checkpoint->size > tree.Size()) {
      return Fail(report,
                  "the log was truncated: " + name + " signs " + std::to_string(checkpoint->size) +
                      " records, only " + std::to_string(tree.Size()) + " remain",
                  static_cast<int64_t>(tree.Size()));
    }
    auto root = tree.RootAt(checkpoint->size);
    if (!root.ok() || *root != checkpoint->root) {
      const int64_t from = previous ? static_cast<int64_t>(previous->size) : 0;
      return Fail(report,
                  "records " + std::to_string(from) + " to " +
                      std::to_string(checkpoint->size - 1) + " do not match " + name +
                      ": one of them was changed",
                  from);
    }
    if (previous && previous->size > 0) {
      auto proof = tree.ConsistencyProof(previous->size, checkpoint->size);
      if (!proof.ok()) return proof.status();
      Status consistent = ledger::VerifyConsistency(previous->size, checkpoint->size, *proof,
                                                    previous->root, checkpoint->root);
      if (!consistent.ok()) {
        return Fail(report,
                    name + " is not consistent with the one before: " + consistent.message());
      }
    }
    previous = std::move(*checkpoint);
    ++report.checkpoints;
  }
  return report;
}

Result<nlohmann::json> ExportConversation(Store& store, const LedgerService& ledger,
                                          const std::string& conversation_id,
                                          const ExportView& view) {
  auto conversation = store.GetConversation(conversation_id);
  if (!conversation.ok()) return conversation.status();
  auto events = store.ReadEvents(conversation_id, 0, 1'000'000);
  if (!events.ok()) return events.status();
  const auto checkpoint = ledger.Latest();
  nlohmann::json out = {{"format", "candor-conversation-export/1"},
                        {"conversation_id", conversation_id},
                        {"verifier_key", ledger.verifier_key()},
                        {"checkpoint", checkpoint ? nlohmann::json(checkpoint->note) : nullptr}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& event : *events) {
    auto records = store.ReadLedger(event.log_index, 1);
    if (!records.ok()) return records.status();
    if (records->empty()) return Status::Internal("event without a ledger record");
    const LedgerRecord& r = records->front();
    ExportedEvent shown = view ? view(event) : ExportedEvent{EventToJson(event), true};
    nlohmann::json item = {{"event", std::move(shown.event)},
                           {"log_index", r.log_index},
                           {"seq", r.seq},
                           {"kind", r.kind},
                           {"at_ms", r.at_ms},
                           {"body", shown.with_body ? r.body : std::string()},
                           {"salt", shown.with_body ? Hex(r.salt) : std::string()},
                           {"commitment", Hex(r.commitment)},
                           {"leaf_hash", Hex(r.leaf_hash)},
                           {"inclusion_proof", nullptr}};
    if (checkpoint && r.log_index < checkpoint->tree_size) {
      auto proof = ledger.Inclusion(static_cast<uint64_t>(r.log_index),
                                    static_cast<uint64_t>(checkpoint->tree_size));
      if (!proof.ok()) return proof.status();
      nlohmann::json path = nlohmann::json::array();
      for (const auto& hash : proof->proof) path.push_back(ledger::HashToHex(hash));
      item["inclusion_proof"] = path;
    }
    list.push_back(std::move(item));
  }
  out["events"] = list;
  return out;
}

Result<AuditReport> AuditExport(const nlohmann::json& exported,
                                const std::optional<ledger::VerifierKey>& key_override) {
  AuditReport report;
  if (!exported.is_object() || exported.value("format", "") != "candor-conversation-export/1") {
    return Status::InvalidArgument("not a candor conversation export");
  }
  try {
    std::optional<ledger::VerifierKey> key = key_override;
    if (!key) {
      auto parsed = ledger::ParseVerifierKey(exported.at("verifier_key").get<std::string>());
      if (!parsed.ok()) return parsed.status();
      key = *parsed;
    }
    std::optional<ledger::Checkpoint> checkpoint;
    if (!exported.at("checkpoint").is_null()) {
      auto verified = ledger::VerifyCheckpoint(exported["checkpoint"].get<std::string>(),
                                               key->public_key, key->name);
      if (!verified.ok()) {
        return Fail(report, "the checkpoint does not verify: " + verified.status().message());
      }
      checkpoint = *verified;
      report.checkpoints = 1;
    }
    const std::string conversation = exported.at("conversation_id").get<std::string>();
    int64_t expected_seq = 1;
    for (const auto& item : exported.at("events")) {
      LedgerRecord r{item.at("log_index").get<int64_t>(),
                     conversation,
                     item.at("seq").get<int64_t>(),
                     item.at("kind").get<std::string>(),
                     item.at("at_ms").get<int64_t>(),
                     item.at("body").get<std::string>(),
                     "",
                     "",
                     ""};
      if (r.seq != expected_seq) {
        return Fail(report, "seq " + std::to_string(expected_seq) + " is missing from the export",
                    r.log_index);
      }
      ++expected_seq;
      auto salt = Unhex(item.at("salt").get<std::string>());
      auto commitment_raw = Unhex(item.at("commitment").get<std::string>());
      auto leaf_raw = Unhex(item.at("leaf_hash").get<std::string>());
      if (!salt.ok() || !commitment_raw.ok() || !leaf_raw.ok()) {
        return Fail(report, Describe(r) + " has malformed hashes", r.log_index);
      }
      auto commitment = ledger::HashFromBytes(*commitment_raw);
      if (!commitment.ok()) return Fail(report, Describe(r) + " has malformed hashes", r.log_index);
      if (!(r.body.empty() && salt->empty()) &&
          ledger::CommitContent(*salt, r.body) != *commitment) {
        return Fail(report, Describe(r) + " was changed: its content does not match its commitment",
                    r.log_index);
      }
      const ledger::Hash leaf = RecomputeLeaf(r, *commitment);
      if (ToRaw(leaf) != *leaf_raw) {
        return Fail(report, Describe(r) + " was changed: its metadata does not match its leaf",
                    r.log_index);
      }
      ++report.records;
      if (!checkpoint || static_cast<uint64_t>(r.log_index) >= checkpoint->size) {
        ++report.pending;  // newer than the checkpoint: no proof yet
        continue;
      }
      std::vector<ledger::Hash> proof;
      for (const auto& hex : item.at("inclusion_proof")) {
        auto hash = ledger::HashFromHex(hex.get<std::string>());
        if (!hash.ok()) return Fail(report, Describe(r) + " has a malformed proof", r.log_index);
        proof.push_back(*hash);
      }
      Status included = ledger::VerifyInclusion(leaf, static_cast<uint64_t>(r.log_index),
                                                checkpoint->size, proof, checkpoint->root);
      if (!included.ok()) {
        return Fail(report, Describe(r) + " is not in the signed log: " + included.message(),
                    r.log_index);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("the export is malformed: ") + e.what());
  }
  return report;
}

}  // namespace candor
