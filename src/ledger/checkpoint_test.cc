#include <gtest/gtest.h>

#include <string>

#include "ledger/internal/encoding.h"
#include "ledger/internal/note.h"
#include "ledger/ledger.h"

namespace candor::ledger {
namespace {

constexpr char kName[] = "candor.example/ledger";
// "\xE2\x80\x94" is U+2014 EM DASH.
constexpr char kDash[] = "\xE2\x80\x94 ";

SigningKey KeyFromByte(char first) {
  std::string seed(32, '\0');
  for (int i = 0; i < 32; ++i) seed[i] = static_cast<char>(first + i);
  return SigningKey::FromSeed(seed).value();
}

CheckpointSigner Signer() { return CheckpointSigner::Create(KeyFromByte(0), kName, kName).value(); }

Hash SomeRoot() { return HashLeaf("some root"); }

// The example of golang.org/x/mod/sumdb/note, the reference implementation:
// signing key PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 || seed)>.
constexpr char kGoSeed[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kGoVkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kGoText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kGoSignature[] =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

TEST(SignedNoteTest, MatchesTheGoReferenceExampleByteForByte) {
  const std::string typed_seed = internal::Base64Decode(kGoSeed).value();
  ASSERT_EQ(typed_seed[0], 0x01);
  const SigningKey key = SigningKey::FromSeed(typed_seed.substr(1)).value();

  EXPECT_EQ(KeyId("PeterNeumann", key.public_key()), 0xc74f20a3u);
  EXPECT_EQ(FormatVerifierKey("PeterNeumann", key.public_key()), kGoVkey);
  const std::string note = internal::SignNote(kGoText, key, "PeterNeumann");
  EXPECT_EQ(note, std::string(kGoText) + "\n" + kDash + "PeterNeumann " + kGoSignature + "\n");

  const VerifierKey vkey = ParseVerifierKey(kGoVkey).value();
  EXPECT_EQ(vkey.public_key, key.public_key());
  EXPECT_EQ(internal::OpenNote(note, vkey.public_key, vkey.name).value(), kGoText);
}

TEST(SignedNoteTest, OpensTheSignedNoteSpecExample) {
  const VerifierKey vkey =
      ParseVerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
          .value();
  EXPECT_EQ(vkey.key_id, 0x530d903au);
  const std::string note =
      std::string("This is an example message.\n\n") + kDash +
      "example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
      "\n";
  EXPECT_EQ(internal::OpenNote(note, vkey.public_key, vkey.name).value(),
            "This is an example message.\n");
}

TEST(CheckpointTest, SignedCheckpointHasTheC2spLayout) {
  const std::string note = Signer().Sign(42, SomeRoot());
  const std::string root_b64 = internal::Base64Encode(
      std::string(reinterpret_cast<const char*>(SomeRoot().data()), kHashSize));
  const std::string body = std::string(kName) + "\n42\n" + root_b64 + "\n\n" + kDash + kName + " ";
  ASSERT_EQ(note.substr(0, body.size()), body);
  // base64 of 4 + 64 bytes is 92 characters, then the final newline.
  EXPECT_EQ(note.size(), body.size() + 92 + 1);
  EXPECT_EQ(note.back(), '\n');
}

TEST(CheckpointTest, MatchesTheDocumentedExample) {
  // docs/ledger_format.md, "Checkpoint": seed 00..1f, the RFC 6962 8-leaf root.
  const CheckpointSigner signer = Signer();
  const std::string note = signer.Sign(
      8, HashFromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328").value());
  EXPECT_EQ(note,
            std::string("candor.example/ledger\n8\n"
                        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n") +
                kDash +
                "candor.example/ledger nJa3zPC4KoBkHQ3bm8F/+SOjEMAO49wf9FDTLAX5rrTvwLD9yvE61q+"
                "HOBAcpiGDWgqHDaTa3LIxaMGM0mbH4T3Ykgk=\n");
  EXPECT_EQ(signer.VerifierKeyString(),
            "candor.example/ledger+9c96b7cc+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4");
}

TEST(CheckpointTest, SurvivesSignVerifyRoundTrip) {
  const CheckpointSigner signer = Signer();
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{18446744073709551615u}}) {
    Result<Checkpoint> checkpoint =
        VerifyCheckpoint(signer.Sign(size, SomeRoot()), KeyFromByte(0).public_key(), kName);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    EXPECT_EQ(checkpoint->origin, kName);
    EXPECT_EQ(checkpoint->size, size);
    EXPECT_EQ(checkpoint->root, SomeRoot());
    EXPECT_TRUE(checkpoint->extensions.empty());
  }
}

TEST(CheckpointTest, VerifierKeyStringRoundTrips) {
  const CheckpointSigner signer = Signer();
  const VerifierKey vkey = ParseVerifierKey(signer.VerifierKeyString()).value();
  EXPECT_EQ(vkey.name, kName);
  EXPECT_EQ(vkey.key_id, signer.key_id());
  EXPECT_TRUE(VerifyCheckpoint(signer.Sign(7, SomeRoot()), vkey.public_key, vkey.name).ok());
}

TEST(CheckpointTest, RejectsTamperedSizeRootOrSignature) {
  const std::string note = Signer().Sign(42, SomeRoot());
  const PublicKey key = KeyFromByte(0).public_key();

  std::string bigger = note;
  bigger.replace(bigger.find("\n42\n"), 4, "\n43\n");
  EXPECT_EQ(VerifyCheckpoint(bigger, key, kName).status().code(), StatusCode::kUnauthenticated);

  std::string other_root = note;
  const size_t root_at = other_root.find("\n42\n") + 4;
  other_root[root_at] = other_root[root_at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyCheckpoint(other_root, key, kName).status().code(), StatusCode::kUnauthenticated);

  std::string bad_signature = note;
  const size_t sig_at = bad_signature.size() - 10;  // inside the Ed25519 signature
  bad_signature[sig_at] = bad_signature[sig_at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyCheckpoint(bad_signature, key, kName).status().code(),
            StatusCode::kUnauthenticated);
}

TEST(CheckpointTest, RejectsWrongKeyOrKeyName) {
  const std::string note = Signer().Sign(42, SomeRoot());
  EXPECT_EQ(VerifyCheckpoint(note, KeyFromByte(1).public_key(), kName).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyCheckpoint(note, KeyFromByte(0).public_key(), "someone.else/log").status().code(),
            StatusCode::kUnauthenticated);
}

TEST(CheckpointTest, IgnoresSignaturesOfOtherKeys) {
  // A witness adds its own line; the log's signature still decides.
  const std::string note = Signer().Sign(42, SomeRoot());
  const std::string text = note.substr(0, note.find("\n\n") + 1);
  const std::string witness = internal::SignNote(text, KeyFromByte(9), "witness.example/w1");
  const std::string cosigned = note + witness.substr(text.size() + 1);
  Result<Checkpoint> checkpoint = VerifyCheckpoint(cosigned, KeyFromByte(0).public_key(), kName);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->size, 42u);
}

TEST(CheckpointTest, RejectsMalformedNotes) {
  const PublicKey key = KeyFromByte(0).public_key();
  const std::string note = Signer().Sign(42, SomeRoot());
  std::string no_blank_line = note;
  no_blank_line.erase(no_blank_line.find("\n\n"), 1);
  EXPECT_EQ(VerifyCheckpoint(no_blank_line, key, kName).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCheckpoint(note.substr(0, note.size() - 1), key, kName).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCheckpoint(note + "junk\n", key, kName).status().code(),
            StatusCode::kInvalidArgument);
  std::string control = note;
  control[2] = '\t';
  EXPECT_EQ(VerifyCheckpoint(control, key, kName).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCheckpoint("", key, kName).status().code(), StatusCode::kInvalidArgument);
}

TEST(CheckpointTest, RejectsMalformedBodiesEvenWhenSigned) {
  const SigningKey key = KeyFromByte(0);
  const std::string root_b64 = internal::Base64Encode(std::string(32, 'r'));
  const std::string bad_bodies[] = {
      "origin\n042\n" + root_b64 + "\n",                                    // leading zero
      "origin\n-1\n" + root_b64 + "\n",                                     // negative
      "origin\n18446744073709551616\n" + root_b64 + "\n",                   // 2^64
      "origin\n1\n" + internal::Base64Encode(std::string(31, 'r')) + "\n",  // short root
      "origin\n1\n",                                                        // no root
  };
  for (const std::string& body : bad_bodies) {
    const std::string note = internal::SignNote(body, key, kName);
    EXPECT_EQ(VerifyCheckpoint(note, key.public_key(), kName).status().code(),
              StatusCode::kInvalidArgument)
        << body;
  }
  const std::string with_extension = "origin\n1\n" + root_b64 + "\nextra\n";
  Result<Checkpoint> checkpoint =
      VerifyCheckpoint(internal::SignNote(with_extension, key, kName), key.public_key(), kName);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->extensions, std::vector<std::string>{"extra"});
}

TEST(CheckpointTest, SignerRefusesBadKeyNamesAndOrigins) {
  EXPECT_EQ(CheckpointSigner::Create(KeyFromByte(0), "", "o").status().field(), "key_name");
  EXPECT_EQ(CheckpointSigner::Create(KeyFromByte(0), "a b", "o").status().field(), "key_name");
  EXPECT_EQ(CheckpointSigner::Create(KeyFromByte(0), "a+b", "o").status().field(), "key_name");
  EXPECT_EQ(CheckpointSigner::Create(KeyFromByte(0), "k", "").status().field(), "origin");
  EXPECT_EQ(CheckpointSigner::Create(KeyFromByte(0), "k", "two\nlines").status().field(), "origin");
  EXPECT_EQ(CheckpointSigner::Create(KeyFromByte(0), "k", "bad\xff").status().field(), "origin");
}

TEST(CheckpointTest, ParseVerifierKeyRejectsMismatchedOrMalformedKeys) {
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(
      ParseVerifierKey("Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  EXPECT_FALSE(ParseVerifierKey("PeterNeumann+c74f20a3").ok());
  EXPECT_TRUE(ParseVerifierKey(kGoVkey).ok());
}

TEST(CheckpointTest, ParseVerifierKeyReadsOnlyTheBase64Alphabet) {
  // Found by fuzz/ledger_note_fuzz.cc: libsodium's decoder took some bytes
  // above 0x7F for '/' or '+', so a second text form parsed as the same key.
  const std::string vkey =
      "candor.example/ledger+9c96b7cc+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
  ASSERT_TRUE(ParseVerifierKey(vkey).ok());
  std::string aliased = vkey;
  aliased[aliased.find("B7/") + 2] = '\xcf';
  EXPECT_FALSE(ParseVerifierKey(aliased).ok());
  aliased = vkey;
  aliased[aliased.find("hC+") + 2] = '\xab';
  EXPECT_FALSE(ParseVerifierKey(aliased).ok());
}

TEST(SigningKeyTest, SecretKeyFormMustMatchItsSeed) {
  const SigningKey key = KeyFromByte(0);
  std::string secret = key.Seed();
  secret.append(reinterpret_cast<const char*>(key.public_key().data()), 32);
  EXPECT_EQ(SigningKey::FromSecretKey(secret).value().public_key(), key.public_key());
  secret.back() ^= 1;
  EXPECT_EQ(SigningKey::FromSecretKey(secret).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::FromSeed("short").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::ledger
