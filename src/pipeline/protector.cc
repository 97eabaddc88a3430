#include "pipeline/protector.h"

#include <cstdlib>
#include <functional>

namespace candor {
namespace {

constexpr size_t kMaxCachedKeys = 100'000;

std::string MapContext(const std::string& conversation_id) {
  return "candor-vault-map:" + conversation_id;
}

}  // namespace

Protector::Protector(Store& store, const privacy::PiiScanner& scanner, vault::SecretKey master_key)
    : store_(store), scanner_(scanner), master_(std::move(master_key)) {}

std::string Protector::NewConversationKey(const std::string& conversation_id) const {
  return vault::MakeConversationKey(master_, conversation_id).wrapped;
}

std::mutex& Protector::LockFor(const std::string& conversation_id) {
  return stripes_[std::hash<std::string>{}(conversation_id) % stripes_.size()];
}

Result<std::pair<vault::SecretKey, privacy::PlaceholderMap>> Protector::Load(
    const std::string& conversation_id) {
  std::optional<vault::SecretKey> key;
  std::string sealed;
  bool sealed_known = false;
  {
    std::lock_guard lock(cache_mu_);
    auto k = keys_.find(conversation_id);
    if (k != keys_.end()) key = k->second;
    auto it = sealed_maps_.find(conversation_id);
    if (it != sealed_maps_.end()) {
      sealed = it->second;
      sealed_known = true;
    }
  }
  if (!key) {
    auto conversation = store_.GetConversation(conversation_id);
    if (!conversation.ok()) return conversation.status();
    if (conversation->vault_key.empty()) {
      return Status::PermissionDenied("this conversation's protected data was erased");
    }
    auto unwrapped =
        vault::UnwrapConversationKey(master_, conversation->vault_key, conversation_id);
    if (!unwrapped.ok()) return unwrapped.status();
    key = *unwrapped;
    std::lock_guard lock(cache_mu_);
    if (keys_.size() >= kMaxCachedKeys) keys_.clear();
    keys_.emplace(conversation_id, *key);
  }
  if (!sealed_known) {
    auto stored = store_.GetVaultMap(conversation_id);
    if (!stored.ok()) return stored.status();
    sealed = std::move(*stored);
    std::lock_guard lock(cache_mu_);
    if (sealed_maps_.size() >= kMaxCachedKeys) sealed_maps_.clear();
    sealed_maps_.emplace(conversation_id, sealed);
  }
  privacy::PlaceholderMap map;
  if (!sealed.empty()) {
    auto serialized = vault::Open(*key, sealed, MapContext(conversation_id));
    if (!serialized.ok()) return serialized.status();
    auto parsed = privacy::PlaceholderMap::Parse(*serialized);
    if (!parsed.ok()) return parsed.status();
    map = std::move(*parsed);
  }
  return std::make_pair(std::move(*key), std::move(map));
}

Result<Protector::Protected> Protector::Protect(const std::string& conversation_id,
                                                const std::string& text) {
  Protected out;
  out.lock = std::unique_lock(LockFor(conversation_id));
  privacy::ScanScratch scratch = TakeScratch();
  auto findings = scanner_.Scan(text, scratch);
  ReturnScratch(std::move(scratch));
  if (!findings.ok()) return findings.status();
  auto loaded = Load(conversation_id);
  if (!loaded.ok()) return loaded.status();
  auto& [key, map] = *loaded;
  const size_t known_before = map.size();
  privacy::MaskedText masked = privacy::Mask(text, *findings, map);
  out.masked_text = std::move(masked.text);
  out.findings = masked.placeholders.size();
  if (map.size() != known_before) {  // new originals: the vault changes with this message
    out.sealed_map = vault::Seal(key, map.Serialize(), MapContext(conversation_id));
    std::lock_guard lock(cache_mu_);
    sealed_maps_[conversation_id] = out.sealed_map;
  }
  return out;
}

privacy::ScanScratch Protector::TakeScratch() {
  {
    std::lock_guard lock(cache_mu_);
    if (!scratches_.empty()) {
      privacy::ScanScratch scratch = std::move(scratches_.back());
      scratches_.pop_back();
      return scratch;
    }
  }
  auto made = scanner_.NewScratch();
  if (!made.ok()) std::abort();  // only a broken build fails here
  return std::move(*made);
}

void Protector::ReturnScratch(privacy::ScanScratch scratch) {
  std::lock_guard lock(cache_mu_);
  scratches_.push_back(std::move(scratch));
}

Result<std::string> Protector::Unmask(const std::string& conversation_id, const std::string& text) {
  if (text.find('[') == std::string::npos) return text;
  auto loaded = Load(conversation_id);
  if (!loaded.ok()) return loaded.status();
  const privacy::PlaceholderMap& map = loaded->second;
  std::string out;
  out.reserve(text.size());
  // What the customer typed comes back as typed, look-alikes included; only
  // real placeholders are replaced by their originals.
  for (const auto& piece : privacy::SplitMasked(text)) {
    if (piece.kind != privacy::MaskedPiece::Kind::kPlaceholder) {
      out += piece.text;
    } else if (auto original = map.Original(piece.text)) {
      out += *original;
    } else {
      out += "[" + piece.text + "]";
    }
  }
  return out;
}

Result<Protector::Revealed> Protector::Reveal(const std::string& conversation_id,
                                              const std::string& placeholder) {
  auto loaded = Load(conversation_id);
  if (!loaded.ok()) return loaded.status();
  for (const auto& entry : loaded->second.entries()) {
    if (entry.placeholder == placeholder || "[" + entry.placeholder + "]" == placeholder) {
      return Revealed{entry.original, std::string(privacy::PiiTypeName(entry.type))};
    }
  }
  return Status::NotFound("this conversation has no " + placeholder);
}

}  // namespace candor
