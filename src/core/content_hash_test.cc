#include "core/content_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace snapq {
namespace {

using nlohmann::json;

std::string canon(const char* text) { return canonicalJson(json::parse(text)); }
std::string canonDouble(double d) { return canonicalJson(json(d)); }
std::string canonBits(uint64_t bits) { return canonDouble(std::bit_cast<double>(bits)); }

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(canon(R"( { "b" : 1 , "a" : [ 1 , 2 , { "d" : true , "c" : null } ] } )"),
            R"({"a":[1,2,{"c":null,"d":true}],"b":1})");
  EXPECT_EQ(canon(R"({"B":1,"a":2,"_":3,"A":4,"aa":5,"":6})"), R"({"":6,"A":4,"B":1,"_":3,"a":2,"aa":5})");
  EXPECT_EQ(canon("[]"), "[]");
  EXPECT_EQ(canon("{}"), "{}");
  EXPECT_EQ(canon(R"([[],{},[{}]])"), "[[],{},[{}]]");
  EXPECT_EQ(canon("true"), "true");
  EXPECT_EQ(canon("null"), "null");
  EXPECT_EQ(canon(R"("x")"), R"("x")");
}

TEST(CanonicalJson, ArraysKeepTheirOrder) { EXPECT_EQ(canon("[3,1,2]"), "[3,1,2]"); }

TEST(CanonicalJson, IntegralDoublesPrintAsIntegers) {
  EXPECT_EQ(canon("1.0"), "1");
  EXPECT_EQ(canon("[1.0,1,1e0,10E-1]"), "[1,1,1,1]");
  EXPECT_EQ(canonDouble(5.0), "5");
  EXPECT_EQ(canonDouble(-0.0), "0");
  EXPECT_EQ(canonDouble(0.0), "0");
  EXPECT_EQ(canonDouble(1e20), "100000000000000000000");
  EXPECT_EQ(canonDouble(1e21), "1e+21");
  EXPECT_EQ(canonDouble(-1e21), "-1e+21");
}

TEST(CanonicalJson, FractionsFollowEcmaScript) {
  EXPECT_EQ(canonDouble(0.1), "0.1");
  EXPECT_EQ(canonDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(canonDouble(-1.5), "-1.5");
  EXPECT_EQ(canonDouble(4.35), "4.35");
  EXPECT_EQ(canonDouble(12345678.9), "12345678.9");
  EXPECT_EQ(canonDouble(0.000001), "0.000001");
  EXPECT_EQ(canonDouble(0.0000015), "0.0000015");
  EXPECT_EQ(canonDouble(1e-7), "1e-7");
  EXPECT_EQ(canonDouble(1.23e-18), "1.23e-18");
  EXPECT_EQ(canonDouble(1.5e300), "1.5e+300");
  EXPECT_EQ(canonDouble(std::numeric_limits<double>::infinity()), "null");  // JSON cannot carry it
}

// The number vectors of RFC 8785 appendix B (checked against node's String(n)).
TEST(CanonicalJson, Rfc8785NumberVectors) {
  const std::vector<std::pair<uint64_t, const char*>> vectors = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& [bits, expected] : vectors) EXPECT_EQ(canonBits(bits), expected) << std::hex << bits;
  EXPECT_EQ(canonBits(0x7ff8000000000000), "null");  // NaN
  EXPECT_EQ(canonBits(0xfff0000000000000), "null");  // -infinity
}

TEST(CanonicalJson, IntegersArePrintedExactly) {
  EXPECT_EQ(canon("9007199254740993"), "9007199254740993");  // 2^53 + 1: a double would round it
  EXPECT_EQ(canon("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(canon("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(canon("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(canonicalJson(json(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(canonicalJson(json(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
  EXPECT_EQ(canon("-0"), "0");
  EXPECT_EQ(canon("[0,-1,42]"), "[0,-1,42]");
}

TEST(CanonicalJson, EscapesOnlyWhatJsonRequires) {
  const std::string raw = std::string("\x01\x1f\"\\/\b\f\n\r\t\x7f") + "é€😀<>&'";
  EXPECT_EQ(canonicalJson(json(raw)), std::string(R"("\u0001\u001f\"\\/\b\f\n\r\t)") + "\x7f" + R"(é€😀<>&'")");
  EXPECT_EQ(canonicalJson(json(std::string("a\0b", 3))), R"("a\u0000b")");
  EXPECT_EQ(canon(R"("\u00e9\ud83d\ude00\u2028")"), "\"é😀\u2028\"");
  EXPECT_EQ(canon(R"({"k\n":"v"})"), R"({"k\n":"v"})");
}

// RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji
// (a surrogate pair, 0xD83D...) comes before U+FB33 although its code point is larger.
TEST(CanonicalJson, Rfc8785KeyOrderByUtf16) {
  const char* input = R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",)"
                      R"("1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control",)"
                      R"("\u00f6":"Latin Small Letter O With Diaeresis"})";
  const std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
      "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
      "\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(canon(input), expected);
}

std::string utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::u16string utf16(char32_t cp) {
  if (cp < 0x10000) return std::u16string(1, static_cast<char16_t>(cp));
  const char32_t v = cp - 0x10000;
  return {static_cast<char16_t>(0xD800 + (v >> 10)), static_cast<char16_t>(0xDC00 + (v & 0x3FF))};
}

// The reference is std::u16string's own order over strings encoded both ways.
TEST(Utf16Less, AgreesWithUtf16CodeUnitOrderOnValidText) {
  const std::vector<char32_t> alphabet = {U'a',   U'z',   0x7F,   0x80,   0xE9,   0x7FF,   0x800,   0x20AC,
                                          0xD7FF, 0xE000, 0xFB33, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  std::mt19937 gen(42);
  std::vector<std::pair<std::string, std::u16string>> samples;
  for (int i = 0; i < 400; ++i) {
    std::string u8;
    std::u16string u16;
    const int len = static_cast<int>(gen() % 4);
    for (int j = 0; j < len; ++j) {
      const char32_t cp = alphabet[gen() % alphabet.size()];
      u8 += utf8(cp);
      u16 += utf16(cp);
    }
    samples.emplace_back(u8, u16);
  }
  for (const auto& a : samples) {
    for (const auto& b : samples) ASSERT_EQ(utf16Less(a.first, b.first), a.second < b.second);
  }
}

TEST(Utf16Less, IsAStrictWeakOrderEvenOnMalformedBytes) {
  // ASCII, DEL, complete 2-, 3- and 4-byte sequences, a NUL, and bytes that are never valid.
  const std::string bytes("a\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0\xef\xff\x80\xc0", 16);
  std::mt19937 gen(7);
  std::vector<std::string> samples = {"", "a"};
  for (int i = 0; i < 150; ++i) {
    std::string s;
    const int len = static_cast<int>(gen() % 5);
    for (int j = 0; j < len; ++j) s += bytes[gen() % bytes.size()];
    samples.push_back(s);
  }
  for (const auto& a : samples) {
    ASSERT_FALSE(utf16Less(a, a));
    for (const auto& b : samples) {
      if (a != b) {
        ASSERT_NE(utf16Less(a, b), utf16Less(b, a)) << "not total";
      }
      for (const auto& c : samples) {
        if (utf16Less(a, b) && utf16Less(b, c)) {
          ASSERT_TRUE(utf16Less(a, c)) << "not transitive";
        }
      }
    }
  }
}

TEST(CanonicalJson, DeepNestingDoesNotExhaustTheStack) {
  constexpr int kDepth = 200000;
  const std::string text = std::string(kDepth, '[') + std::string(kDepth, ']');
  EXPECT_EQ(canonicalJson(json::parse(text)), text);
}

TEST(ContentHash, Sha256KnownAnswers) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Expected values from `printf '%s' '<canonical text>' | sha256sum`.
TEST(ContentHash, KnownVectors) {
  const json account =
      json::parse(R"({"id":7,"email":"a@example.com","quota_mb":1024.0,"suspended":false,"updated_at":"2026-01-01"})");
  // {"domain":null,"email":"a@example.com","quota_mb":1024,"suspended":false}
  EXPECT_EQ(contentHash(account, {"email", "quota_mb", "suspended", "domain"}),
            "4656418921b84b9258fff1cddd15dfcc485c040bbc1c6a82c331f323ab98cf4b");

  const json rrset = json::parse(
      R"({"type":"A","name":"www.example.org.","ttl":3600,"records":[{"disabled":false,"content":"192.0.2.1"}]})");
  // {"name":"www.example.org.","records":[{"content":"192.0.2.1","disabled":false}],"ttl":3600,"type":"A"}
  EXPECT_EQ(contentHash(rrset, {"type", "name", "ttl", "records"}),
            "0b8537a8277c46bfcb6e085223d3243daa8c83fe4da475bc79701364e0cfe547");

  const json unicode = {{"名前", "é"}, {"quote", "a\"b\n"}, {"emoji", "😀"}};
  // {"emoji":"😀","quote":"a\"b\n","名前":"é"}
  EXPECT_EQ(contentHash(unicode, {"名前", "quote", "emoji"}),
            "95565c9d58c07f385f9102b474091d3bb53ba63563a2b71a4affa696844bd28a");

  EXPECT_EQ(contentHash(account, {}), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");  // {}
}

TEST(ContentHash, EqualsSha256OfTheCanonicalSelection) {
  const json object = json::parse(R"({"b":[1.0,{"y":2,"x":1}],"a":"text","ignored":true})");
  EXPECT_EQ(contentHash(object, {"a", "b", "c"}), sha256Hex(R"({"a":"text","b":[1,{"x":1,"y":2}],"c":null})"));
}

TEST(ContentHash, MissingFieldHashesLikeNull) {
  const std::vector<std::string> fields = {"email", "domain"};
  EXPECT_EQ(contentHash(json::parse(R"({"email":"a@x"})"), fields),
            contentHash(json::parse(R"({"email":"a@x","domain":null})"), fields));
  EXPECT_NE(contentHash(json::parse(R"({"email":"a@x"})"), fields),
            contentHash(json::parse(R"({"email":"a@x","domain":""})"), fields));
  EXPECT_EQ(contentHash(json("not an object"), fields), contentHash(json::object(), fields));
}

TEST(ContentHash, IndependentOfKeyOrderNumberSpellingAndFieldListOrder) {
  const json a = json::parse(R"({"ttl":300,"name":"a","meta":{"x":1.50,"y":[1,2]},"other":1})");
  const json b = json::parse(R"({"meta":{"y":[1,2],"x":1.5},"name":"a","ttl":300.0,"other":2})");
  EXPECT_EQ(contentHash(a, {"name", "ttl", "meta"}), contentHash(b, {"meta", "ttl", "name", "ttl"}));
}

TEST(ContentHash, ChangesWhenAHashedValueChanges) {
  const std::vector<std::string> fields = {"name", "ttl", "records"};
  const json base = json::parse(R"({"name":"a","ttl":300,"records":["x","y"]})");
  const std::string h = contentHash(base, fields);
  for (const char* changed :
       {R"({"name":"b","ttl":300,"records":["x","y"]})", R"({"name":"a","ttl":301,"records":["x","y"]})",
        R"({"name":"a","ttl":"300","records":["x","y"]})", R"({"name":"a","ttl":300,"records":["y","x"]})"}) {
    EXPECT_NE(contentHash(json::parse(changed), fields), h) << changed;
  }
  EXPECT_EQ(h.size(), 64u);
  EXPECT_TRUE(std::all_of(h.begin(), h.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
}

}  // namespace
}  // namespace snapq
