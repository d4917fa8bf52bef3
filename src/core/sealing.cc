#include "core/sealing.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace snapq {
namespace {

using Key = std::array<unsigned char, Sealer::kKeySize>;

constexpr unsigned char kVersion = 0x01;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kHexKeySize = 2 * Sealer::kKeySize;
constexpr std::string_view kPassphraseContext = "snapq-seal-v1:";
constexpr const char* kCannotOpen = "sealed payload cannot be opened (wrong key or corrupted)";

static_assert(Sealer::kKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

Status ensureSodium() {
  static std::once_flag once;
  static int rc = -1;
  std::call_once(once, [] { rc = sodium_init(); });
  // 1 means another component initialised it first, which is just as good.
  if (rc < 0) return Status::internal("libsodium failed to initialise");
  return Status::ok();
}

// Wipes key material when it goes out of scope, on every return path.
class Wiper {
 public:
  Wiper(void* data, size_t size) : data_(data), size_(size) {}
  Wiper(const Wiper&) = delete;
  Wiper& operator=(const Wiper&) = delete;
  ~Wiper() { sodium_memzero(data_, size_); }

 private:
  void* data_;
  size_t size_;
};

bool decodeHexKey(std::string_view hex, Key& key) {
  if (hex.size() != kHexKeySize) return false;
  size_t len = 0;
  const char* end = nullptr;
  return sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, &end) == 0 &&
         len == key.size() && end == hex.data() + hex.size();
}

std::string errnoText() { return std::strerror(errno); }

Result<Sealer> readKeyFile(const std::string& path, int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    return Status::unavailable("cannot stat key file " + path + ": " + errnoText());
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::invalidArgument("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::invalidArgument("key file " + path + " must not be readable by others (mode " +
                                   mode + "); chmod 600 " + path);
  }
  // One byte more than the longest valid content, so oversize files are caught.
  char buf[kHexKeySize + 2];
  Wiper wipe_buf(buf, sizeof buf);
  size_t size = 0;
  while (size < sizeof buf) {
    const ssize_t n = read(fd, buf + size, sizeof buf - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::unavailable("cannot read key file " + path + ": " + errnoText());
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  std::string_view content(buf, size);
  if (content.size() == kHexKeySize + 1 && content.back() == '\n') content.remove_suffix(1);
  Key key{};
  Wiper wipe_key(key.data(), key.size());
  if (!decodeHexKey(content, key)) {
    return Status::invalidArgument("key file " + path + " must contain exactly " +
                                   std::to_string(kHexKeySize) + " hex characters");
  }
  return Sealer::fromKey(key);
}

bool writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Makes the new file's directory entry durable: losing the key after a crash
// would make every sealed payload unreadable.
void syncParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  std::string dir = ".";
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

// Sets `exists` when another process created the file first, so the caller
// reads that one instead of failing.
Result<Sealer> createKeyFile(const std::string& path, bool& exists) {
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    exists = errno == EEXIST;
    return Status::invalidArgument("cannot create key file " + path + ": " + errnoText());
  }
  Key key{};
  Wiper wipe_key(key.data(), key.size());
  randombytes_buf(key.data(), key.size());
  char hex[kHexKeySize + 1];
  Wiper wipe_hex(hex, sizeof hex);
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  hex[kHexKeySize] = '\n';  // replaces the terminating NUL, which is not written
  const bool written = writeAll(fd, hex, sizeof hex) && fsync(fd) == 0;
  const std::string error = errnoText();
  close(fd);
  if (!written) {
    // A half-written file would block every later start; better to retry.
    unlink(path.c_str());
    return Status::unavailable("cannot write key file " + path + ": " + error);
  }
  syncParentDir(path);
  return Sealer::fromKey(key);
}

Result<Sealer> loadKeyFile(const std::string& path) {
  if (path.empty()) {
    return Status::invalidArgument("no sealing key: set SNAPQ_SECRET_KEY or a key file");
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      Result<Sealer> sealer = readKeyFile(path, fd);
      close(fd);
      return sealer;
    }
    if (errno != ENOENT) {
      return Status::invalidArgument("cannot open key file " + path + ": " + errnoText());
    }
    bool exists = false;
    Result<Sealer> created = createKeyFile(path, exists);
    if (!exists) return created;
  }
  return Status::unavailable("key file " + path + " keeps appearing and disappearing");
}

Result<Sealer> fromPassphrase(const std::string& secret) {
  if (secret.empty()) return Status::invalidArgument("SNAPQ_SECRET_KEY is set but empty");
  if (Status s = ensureSodium(); !s) return s;
  Key key{};
  Wiper wipe_key(key.data(), key.size());
  if (decodeHexKey(secret, key)) return Sealer::fromKey(key);
  // The context prefix keeps this key distinct from any other BLAKE2b use of
  // the same passphrase.
  std::string input;
  input.reserve(kPassphraseContext.size() + secret.size());
  input.append(kPassphraseContext).append(secret);
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), nullptr, 0);
  sodium_memzero(input.data(), input.size());
  return Sealer::fromKey(key);
}

}  // namespace

Sealer::Sealer(std::span<const unsigned char, kKeySize> key) {
  std::copy(key.begin(), key.end(), key_.begin());
}

Sealer::~Sealer() { sodium_memzero(key_.data(), key_.size()); }

Result<Sealer> Sealer::fromKey(std::span<const unsigned char> key) {
  if (key.size() != kKeySize) {
    return Status::invalidArgument("sealing key must be " + std::to_string(kKeySize) + " bytes");
  }
  if (Status s = ensureSodium(); !s) return s;
  return Sealer(key.first<kKeySize>());
}

Result<Sealer> Sealer::load(const KeySource& source) {
  if (source.secret_key) return fromPassphrase(*source.secret_key);
  if (Status s = ensureSodium(); !s) return s;
  return loadKeyFile(source.key_file);
}

std::string Sealer::seal(std::string_view plaintext) const {
  std::string out(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kVersion;
  unsigned char* nonce = bytes + 1;
  randombytes_buf(nonce, kNonceSize);
  // The version byte is authenticated as associated data, so it cannot be
  // swapped to steer a future reader to another format.
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceSize, nullptr, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), bytes, 1, nullptr, nonce, key_.data());
  return out;
}

Result<std::string> Sealer::open(std::string_view sealed) const {
  if (sealed.size() < 1 + kNonceSize + kTagSize ||
      static_cast<unsigned char>(sealed[0]) != kVersion) {
    return Status::invalidArgument(kCannotOpen);
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  const unsigned char* nonce = bytes + 1;
  const size_t cipher_size = sealed.size() - 1 - kNonceSize;
  std::string plain(cipher_size - kTagSize, '\0');
  unsigned long long plain_size = 0;  // NOLINT(google-runtime-int): libsodium API type
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()),
                                                 &plain_size, nullptr, nonce + kNonceSize,
                                                 cipher_size, bytes, 1, nonce, key_.data()) != 0) {
    return Status::invalidArgument(kCannotOpen);
  }
  plain.resize(plain_size);
  return plain;
}

}  // namespace snapq
