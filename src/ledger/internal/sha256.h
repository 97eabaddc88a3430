// Sha256: the one SHA-256 implementation of the ledger (OpenSSL's, which uses
// the CPU's SHA extensions where present; libsodium's portable code measured
// about 2.5x slower per tree node here, see bench/ledger_bench.cc).
//
// An object owns a reusable OpenSSL digest context, because creating one
// costs more than hashing a tree node. Not thread-safe: use one per thread or
// per call.
#pragma once

#include <initializer_list>
#include <string_view>

#include "ledger/ledger.h"

struct evp_md_st;
struct evp_md_ctx_st;

namespace candor::ledger::internal {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // SHA-256 of the concatenation of `parts`.
  Hash Digest(std::initializer_list<std::string_view> parts);

  // One object per thread, for the free functions that hash one value per call.
  static Sha256& ForThisThread();

  Hash Leaf(std::string_view data) { return Digest({std::string_view("\x00", 1), data}); }
  Hash Children(const Hash& left, const Hash& right) {
    return Digest({std::string_view("\x01", 1), View(left), View(right)});
  }

  static std::string_view View(const Hash& hash) {
    return {reinterpret_cast<const char*>(hash.data()), hash.size()};
  }

 private:
  evp_md_st* md_;
  evp_md_ctx_st* ctx_;
};

}  // namespace candor::ledger::internal
