// SigningKey and its key file (docs/ledger_format.md, "Key file"): exactly 32
// bytes, the Ed25519 seed, readable by its owner only.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "ledger/internal/sodium.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

using internal::InitSodium;

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

// Closes a descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error a deferred write may surface here.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string ModeString(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<SigningKey> ReadKeyFile(const Fd& fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Errno("cannot stat key file", path);
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("key file " + path + " is not a regular file", "path");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("key file " + path + " has mode " + ModeString(st.st_mode) +
                                    "; a signing key must be private to its owner (chmod 600 " +
                                    path + ")");
  }
  if (st.st_size != static_cast<off_t>(kSeedSize)) {
    return Status::InvalidArgument("key file " + path + " holds " + std::to_string(st.st_size) +
                                       " bytes; a key file holds exactly 32 (an Ed25519 seed)",
                                   "path");
  }
  std::string seed(kSeedSize, '\0');
  size_t done = 0;
  while (done < seed.size()) {
    const ssize_t n = ::read(fd.get(), seed.data() + done, seed.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read key file", path);
    if (n == 0) return Status::IoError("key file " + path + " shrank while being read");
    done += static_cast<size_t>(n);
  }
  Result<SigningKey> key = SigningKey::FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Status WriteAll(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Makes the rename in `dir` durable.
Status SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return Errno("cannot sync directory", dir);
  return Status::Ok();
}

// Publishes `tmp` as `path` unless `path` exists. Returns AlreadyExists when
// another process won the race; its key is then the one to use.
Status PublishNoReplace(const std::string& tmp, const std::string& path) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) {
    return Status::Ok();
  }
  if (errno == EEXIST) return Status::AlreadyExists(path);
  if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename key file to", path);
  // The file system lacks RENAME_NOREPLACE; link() refuses to replace too.
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return Status::AlreadyExists(path);
    return Errno("cannot link key file to", path);
  }
  ::unlink(tmp.c_str());
  return Status::Ok();
}

// Creates a new key file at `path`; AlreadyExists when one appeared meanwhile.
Result<SigningKey> CreateKeyFile(const std::string& path) {
  const SigningKey key = SigningKey::Generate();
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";

  // mkstemp creates the file with mode 0600 whatever the umask; the fchmod
  // below states it rather than relying on that.
  std::string tmp = path + ".tmp.XXXXXX";
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) return Errno("cannot create a key file next to", path);
  std::string seed = key.Seed();
  Status status =
      ::fchmod(fd.get(), 0600) != 0 ? Errno("cannot chmod", tmp) : WriteAll(fd.get(), seed, tmp);
  sodium_memzero(seed.data(), seed.size());
  if (status.ok() && ::fsync(fd.get()) != 0) status = Errno("cannot sync", tmp);
  if (fd.Close() != 0 && status.ok()) status = Errno("cannot close", tmp);
  if (status.ok()) status = PublishNoReplace(tmp, path);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  CANDOR_RETURN_IF_ERROR(SyncDirectory(dir));
  return key;
}

}  // namespace

// ---------------------------------------------------------------------------
// SigningKey

Result<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  if (seed.size() != kSeedSize) {
    return Status::InvalidArgument(
        "an Ed25519 seed has 32 bytes, got " + std::to_string(seed.size()), "seed");
  }
  InitSodium();
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key_.data(), key.secret_key_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return key;
}

Result<SigningKey> SigningKey::FromSecretKey(std::string_view secret_key) {
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return Status::InvalidArgument(
        "an Ed25519 secret key has 64 bytes, got " + std::to_string(secret_key.size()),
        "secret_key");
  }
  Result<SigningKey> key = FromSeed(secret_key.substr(0, kSeedSize));
  if (!key.ok()) return key.status();
  // The second half is the public key; a mismatch means a damaged key.
  if (sodium_memcmp(key->public_key_.data(), secret_key.data() + kSeedSize, kSeedSize) != 0) {
    return Status::InvalidArgument("the public half of the secret key does not match its seed",
                                   "secret_key");
  }
  return key;
}

SigningKey SigningKey::Generate() {
  InitSodium();
  SigningKey key;
  crypto_sign_keypair(key.public_key_.data(), key.secret_key_.data());
  return key;
}

SigningKey::~SigningKey() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

std::string SigningKey::Seed() const {
  return std::string(reinterpret_cast<const char*>(secret_key_.data()), kSeedSize);
}

std::array<uint8_t, 64> SigningKey::Sign(std::string_view message) const {
  std::array<uint8_t, 64> signature;
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key_.data());
  return signature;
}

// ---------------------------------------------------------------------------
// Key file

Result<SigningKey> LoadOrCreateSigningKey(const std::string& path) {
  // Two rounds: if another process creates the file between our failed open
  // and our rename, the second round loads its key.
  for (int round = 0; round < 2; ++round) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() >= 0) return ReadKeyFile(fd, path);
    if (errno != ENOENT) return Errno("cannot open key file", path);
    Result<SigningKey> created = CreateKeyFile(path);
    if (created.ok() || created.status().code() != StatusCode::kAlreadyExists) return created;
  }
  return Status::IoError("key file " + path + " keeps appearing and disappearing");
}

}  // namespace candor::ledger
