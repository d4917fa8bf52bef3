#include "core/sealing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

namespace snapq {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

Sealer keyed(unsigned char fill) {
  std::array<unsigned char, Sealer::kKeySize> key;
  key.fill(fill);
  Result<Sealer> sealer = Sealer::fromKey(key);
  EXPECT_TRUE(sealer.isOk()) << sealer.status().toString();
  return std::move(sealer).value();
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/snapq_sealing_XXXXXX";
    const char* dir = mkdtemp(tmpl);
    EXPECT_NE(dir, nullptr);
    path_ = dir ? dir : "";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void writeFile(const std::string& path, const std::string& content, fs::perms perms) {
  std::ofstream(path) << content;
  fs::permissions(path, perms);
}

unsigned modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(Sealer, RoundTrip) {
  const Sealer sealer = keyed(7);
  for (const std::string& plain : {std::string(), std::string("{\"password\":\"hunter2\"}"),
                                   std::string("bin\0ary", 7), std::string(100000, 'x')}) {
    const std::string sealed = sealer.seal(plain);
    EXPECT_EQ(sealed.size(), 1 + 24 + plain.size() + 16);
    EXPECT_EQ(sealed[0], '\x01');
    Result<std::string> opened = sealer.open(sealed);
    ASSERT_TRUE(opened.isOk()) << opened.status().toString();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Sealer, CiphertextHidesPlaintext) {
  const std::string plain = "{\"api_token\":\"very-secret-token-value\"}";
  const std::string sealed = keyed(7).seal(plain);
  EXPECT_EQ(sealed.find(plain), std::string::npos);
  EXPECT_EQ(sealed.find("very-secret"), std::string::npos);
}

TEST(Sealer, SealsAreRandomized) {
  const Sealer sealer = keyed(7);
  EXPECT_NE(sealer.seal("same"), sealer.seal("same"));
}

TEST(Sealer, WrongKeyFails) {
  const std::string sealed = keyed(1).seal("payload");
  Result<std::string> opened = keyed(2).open(sealed);
  ASSERT_FALSE(opened.isOk());
  EXPECT_EQ(opened.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(opened.status().message(), "sealed payload cannot be opened (wrong key or corrupted)");
}

TEST(Sealer, TamperingFails) {
  const Sealer sealer = keyed(1);
  const std::string sealed = sealer.seal("payload");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(sealer.open(tampered).isOk()) << "byte " << i;
  }
  EXPECT_FALSE(sealer.open(sealed.substr(0, sealed.size() - 1)).isOk());
  EXPECT_FALSE(sealer.open(sealed + "x").isOk());
  EXPECT_FALSE(sealer.open("").isOk());
  EXPECT_FALSE(sealer.open(std::string(1 + 24 + 15, '\x01')).isOk());
}

TEST(Sealer, CopiesShareTheKey) {
  const Sealer original = keyed(3);
  Sealer copy = original;
  EXPECT_EQ(*copy.open(original.seal("x")), "x");
  copy = keyed(4);
  EXPECT_FALSE(copy.open(original.seal("x")).isOk());
}

TEST(Sealer, FromKeyRejectsWrongSize) {
  const std::array<unsigned char, 16> short_key{};
  Result<Sealer> sealer = Sealer::fromKey(short_key);
  ASSERT_FALSE(sealer.isOk());
  EXPECT_EQ(sealer.status().code(), ErrorCode::invalid_argument);
}

TEST(SealerLoad, HexSecretIsTheKeyItself) {
  std::array<unsigned char, Sealer::kKeySize> raw;
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<unsigned char>(i);
  Result<Sealer> direct = Sealer::fromKey(raw);
  Result<Sealer> loaded = Sealer::load({.secret_key = kHexKey, .key_file = ""});
  ASSERT_TRUE(direct.isOk() && loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ(*loaded->open(direct->seal("hello")), "hello");
}

TEST(SealerLoad, PassphraseDerivesAStableKey) {
  Result<Sealer> a = Sealer::load({.secret_key = "correct horse battery staple", .key_file = ""});
  Result<Sealer> b = Sealer::load({.secret_key = "correct horse battery staple", .key_file = ""});
  Result<Sealer> other = Sealer::load({.secret_key = "another passphrase", .key_file = ""});
  ASSERT_TRUE(a.isOk() && b.isOk() && other.isOk());
  EXPECT_EQ(*b->open(a->seal("hello")), "hello");
  EXPECT_FALSE(other->open(a->seal("hello")).isOk());
  // 64 characters that are not all hex are a passphrase, not a malformed key.
  const std::string not_hex(64, 'z');
  EXPECT_TRUE(Sealer::load({.secret_key = not_hex, .key_file = ""}).isOk());
}

TEST(SealerLoad, SecretWinsOverKeyFile) {
  TempDir dir;
  const std::string path = dir.file("key");
  Result<Sealer> sealer = Sealer::load({.secret_key = "pass", .key_file = path});
  ASSERT_TRUE(sealer.isOk());
  EXPECT_FALSE(fs::exists(path));
}

TEST(SealerLoad, EmptySecretRejected) {
  Result<Sealer> sealer = Sealer::load({.secret_key = "", .key_file = "/tmp/unused"});
  ASSERT_FALSE(sealer.isOk());
  EXPECT_EQ(sealer.status().code(), ErrorCode::invalid_argument);
}

TEST(SealerLoad, KeyFileCreatedPrivateAndReused) {
  TempDir dir;
  const std::string path = dir.file("secret.key");
  Result<Sealer> first = Sealer::load({.secret_key = std::nullopt, .key_file = path});
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(modeOf(path), 0600u);
  EXPECT_EQ(fs::file_size(path), 65u);

  Result<Sealer> second = Sealer::load({.secret_key = std::nullopt, .key_file = path});
  ASSERT_TRUE(second.isOk()) << second.status().toString();
  EXPECT_EQ(*second->open(first->seal("kept")), "kept");

  // A different directory gets a different random key.
  TempDir other_dir;
  Result<Sealer> other =
      Sealer::load({.secret_key = std::nullopt, .key_file = other_dir.file("k")});
  ASSERT_TRUE(other.isOk());
  EXPECT_FALSE(other->open(first->seal("kept")).isOk());
}

TEST(SealerLoad, KeyFileMatchesHexSecret) {
  TempDir dir;
  const std::string path = dir.file("key");
  writeFile(path, kHexKey, fs::perms::owner_read);
  Result<Sealer> from_file = Sealer::load({.secret_key = std::nullopt, .key_file = path});
  Result<Sealer> from_env = Sealer::load({.secret_key = kHexKey, .key_file = ""});
  ASSERT_TRUE(from_file.isOk()) << from_file.status().toString();
  ASSERT_TRUE(from_env.isOk());
  EXPECT_EQ(*from_env->open(from_file->seal("same")), "same");
}

TEST(SealerLoad, RefusesKeyFileReadableByOthers) {
  TempDir dir;
  const std::string path = dir.file("key");
  writeFile(path, std::string(kHexKey) + "\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
  Result<Sealer> sealer = Sealer::load({.secret_key = std::nullopt, .key_file = path});
  ASSERT_FALSE(sealer.isOk());
  EXPECT_EQ(sealer.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(sealer.status().message(),
            "key file " + path + " must not be readable by others (mode 0644); chmod 600 " + path);

  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read);
  EXPECT_FALSE(Sealer::load({.secret_key = std::nullopt, .key_file = path}).isOk());
}

TEST(SealerLoad, MalformedKeyFileRejectedWithoutLeakingIt) {
  TempDir dir;
  const std::string path = dir.file("key");
  const std::string almost = std::string(kHexKey).substr(0, 62) + "zz";
  for (const std::string& content :
       {almost, std::string(kHexKey) + "\n\n", std::string(kHexKey) + "00", std::string()}) {
    fs::remove(path);
    writeFile(path, content, fs::perms::owner_read);
    Result<Sealer> sealer = Sealer::load({.secret_key = std::nullopt, .key_file = path});
    ASSERT_FALSE(sealer.isOk()) << content;
    EXPECT_EQ(sealer.status().code(), ErrorCode::invalid_argument);
    EXPECT_NE(sealer.status().message().find(path), std::string::npos);
    EXPECT_EQ(sealer.status().message().find("0a0b0c"), std::string::npos);
  }
}

TEST(SealerLoad, MissingDirectoryIsAnError) {
  TempDir dir;
  Result<Sealer> sealer =
      Sealer::load({.secret_key = std::nullopt, .key_file = dir.file("no/such/dir/key")});
  EXPECT_FALSE(sealer.isOk());
  EXPECT_FALSE(Sealer::load({.secret_key = std::nullopt, .key_file = ""}).isOk());
}

}  // namespace
}  // namespace snapq
