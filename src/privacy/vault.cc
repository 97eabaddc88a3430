#include "privacy/vault.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace candor::vault {
namespace {

constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

void EnsureSodium() {
  if (sodium_init() < 0) {
    std::fputs("candor: libsodium could not be initialised\n", stderr);
    std::abort();
  }
}

std::string WrapContext(std::string_view conversation_id) {
  return "candor-vault-key:" + std::string(conversation_id);
}

}  // namespace

SecretKey::SecretKey() = default;
SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }
SecretKey::SecretKey(const SecretKey& other) = default;
SecretKey& SecretKey::operator=(const SecretKey& other) = default;

SecretKey SecretKey::Random() {
  EnsureSodium();
  SecretKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.bytes_.data());
  return key;
}

std::string Seal(const SecretKey& key, std::string_view plaintext,
                 std::string_view associated_data) {
  EnsureSodium();
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(bytes, kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated_data.data()),
      associated_data.size(), nullptr, bytes, key.data());
  out.resize(kNonce + written);
  return out;
}

Result<std::string> Open(const SecretKey& key, std::string_view sealed,
                         std::string_view associated_data) {
  EnsureSodium();
  if (sealed.size() < kNonce + kTag) return Status::InvalidArgument("sealed value is too short");
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - kNonce - kTag, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, bytes + kNonce,
          sealed.size() - kNonce, reinterpret_cast<const unsigned char*>(associated_data.data()),
          associated_data.size(), bytes, key.data()) != 0) {
    sodium_memzero(out.data(), out.size());
    return Status::Unauthenticated("the sealed value does not open with this key and context");
  }
  out.resize(written);
  return out;
}

NewConversationKey MakeConversationKey(const SecretKey& master, std::string_view conversation_id) {
  NewConversationKey made{SecretKey::Random(), {}};
  made.wrapped =
      Seal(master, std::string_view(reinterpret_cast<const char*>(made.key.data()), kKeySize),
           WrapContext(conversation_id));
  return made;
}

Result<SecretKey> UnwrapConversationKey(const SecretKey& master, std::string_view wrapped,
                                        std::string_view conversation_id) {
  auto raw = Open(master, wrapped, WrapContext(conversation_id));
  if (!raw.ok()) return raw.status();
  if (raw->size() != kKeySize) return Status::InvalidArgument("wrapped key has the wrong size");
  SecretKey key;
  std::copy(raw->begin(), raw->end(), key.mutable_data());
  sodium_memzero(raw->data(), raw->size());
  return key;
}

Result<SecretKey> LoadOrCreateMasterKey(const std::string& path) {
  EnsureSodium();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
    if ((st.st_mode & 077) != 0) {
      return Status::PermissionDenied(path + " must be readable by its owner only (chmod 600)");
    }
    if (st.st_size != static_cast<off_t>(kKeySize)) {
      return Status::InvalidArgument(path + " is not a vault master key (wrong size)");
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IoError("cannot read " + path);
    SecretKey key;
    const ssize_t n = ::read(fd, key.mutable_data(), kKeySize);
    ::close(fd);
    if (n != static_cast<ssize_t>(kKeySize)) return Status::IoError("cannot read " + path);
    return key;
  }
  SecretKey key = SecretKey::Random();
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create " + temp);
  const bool written =
      ::write(fd, key.data(), kKeySize) == static_cast<ssize_t>(kKeySize) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Status::IoError("cannot write " + path);
  }
  return key;
}

}  // namespace candor::vault
