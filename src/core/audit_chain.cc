#include "core/audit_chain.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/hex.h"

namespace coffer {
namespace {

constexpr std::string_view kEntryDomain{"coffer-audit-v1\0", 16};
constexpr std::string_view kSealDomain{"coffer-audit-seal-v1\0", 21};

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_i64(std::string& out, int64_t v) { put_u64(out, static_cast<uint64_t>(v)); }

void put_text(std::string& out, std::string_view text) {
  put_u64(out, text.size());
  out.append(text);
}

// The 32 bytes of a 64-digit hex hash appended to `out`; false when it is not one.
bool put_hash(std::string& out, std::string_view hex) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> raw{};
  size_t len = 0;
  if (hex.size() != raw.size() * 2 ||
      sodium_hex2bin(raw.data(), raw.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != raw.size()) {
    return false;
  }
  out.append(reinterpret_cast<const char*>(raw.data()), raw.size());
  return true;
}

std::string sha256_hex(std::string_view bytes) {
  if (sodium_init() < 0) std::abort();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  return to_hex(std::span<const uint8_t>(digest));
}

std::string entry_name(int64_t id) { return "#" + std::to_string(id); }

}  // namespace

bool is_audit_hash(std::string_view hex) {
  std::string raw;
  return put_hash(raw, hex);
}

std::string audit_entry_encoding(std::string_view prev_hash_hex, const AuditEvent& e) {
  std::string out(kEntryDomain);
  if (!put_hash(out, prev_hash_hex)) return {};
  put_i64(out, e.id);
  put_i64(out, e.at);
  put_i64(out, e.actor_id);
  for (const std::string* text :
       {&e.action, &e.target, &e.outcome, &e.ip, &e.user_agent, &e.request_id, &e.detail}) {
    put_text(out, *text);
  }
  return out;
}

std::string audit_entry_hash(std::string_view prev_hash_hex, const AuditEvent& event) {
  std::string encoding = audit_entry_encoding(prev_hash_hex, event);
  if (encoding.empty()) return {};
  return sha256_hex(encoding);
}

std::string audit_seal_message(const AuditSeal& seal) {
  std::string out(kSealDomain);
  put_i64(out, seal.head_id);
  if (!put_hash(out, seal.head_hash)) return {};
  put_i64(out, seal.sealed_at);
  return out;
}

AuditChainVerifier::AuditChainVerifier(SealCheck authentic) : authentic_(std::move(authentic)) {}

AuditChainVerifier::AuditChainVerifier(const std::vector<AuditSeal>& seals, SealCheck authentic)
    : AuditChainVerifier(std::move(authentic)) {
  for (const AuditSeal& seal : seals) add_seal(seal);
}

void AuditChainVerifier::add_seal(const AuditSeal& seal) {
  // A seal that is not authentic proves nothing; the chain counts as broken where it points,
  // since a forged seal means someone wrote to the log who must not.
  if (!authentic_(seal)) {
    fail(seal.head_id, "seal " + std::to_string(seal.id) + " over entry " +
                           entry_name(seal.head_id) +
                           " is forged: its signature does not verify with a trusted key");
    return;
  }
  seals_.push_back(SealedHead{seal.head_id, seal.id, seal.head_hash});
}

void AuditChainVerifier::fail(int64_t entry_id, std::string reason) {
  if (result_.broken && result_.broken->entry_id <= entry_id) return;
  result_.broken = AuditBreak{entry_id, std::move(reason)};
}

void AuditChainVerifier::begin_walk() {
  if (walking_) return;
  walking_ = true;
  std::sort(seals_.begin(), seals_.end(), [](const SealedHead& a, const SealedHead& b) {
    return a.head_id != b.head_id ? a.head_id < b.head_id : a.seal_id < b.seal_id;
  });
}

bool AuditChainVerifier::add(const AuditEvent& e) {
  begin_walk();
  if (result_.broken && result_.broken->entry_id <= e.id) return false;
  last_id_ = e.id;
  if (first_unsealed_id_ == 0) first_unsealed_id_ = e.id;
  if (next_seal_ < seals_.size() && seals_[next_seal_].head_id < e.id) {
    const SealedHead& seal = seals_[next_seal_];
    fail(e.id, "entry " + entry_name(seal.head_id) + ", which seal " +
                   std::to_string(seal.seal_id) + " covers, is missing before " + entry_name(e.id));
    return false;
  }
  if (e.entry_hash.empty() && !chained_) {
    ++result_.legacy_entries;
  } else if (e.entry_hash.empty()) {
    fail(e.id, "entry " + entry_name(e.id) + " has no hashes, but the chain began before it");
    return false;
  } else {
    chained_ = true;
    if (e.prev_hash != head_) {
      fail(e.id, "entry " + entry_name(e.id) +
                     " does not follow the entry before it (an entry before it was deleted, "
                     "reordered or its hashes altered)");
      return false;
    }
    const std::string computed = audit_entry_hash(head_, e);
    if (computed != e.entry_hash) {
      fail(e.id, "entry " + entry_name(e.id) + " was altered: its content does not match its hash");
      return false;
    }
    head_ = computed;
    ++result_.entries;
    result_.head_id = e.id;
    result_.head_hash = computed;
  }
  for (; next_seal_ < seals_.size() && seals_[next_seal_].head_id == e.id; ++next_seal_) {
    const SealedHead& seal = seals_[next_seal_];
    if (seal.head_hash != e.entry_hash || e.entry_hash.empty()) {
      fail(first_unsealed_id_, "seal " + std::to_string(seal.seal_id) + " does not match entry " +
                                   entry_name(e.id) + ": an entry from " +
                                   entry_name(first_unsealed_id_) + " to " + entry_name(e.id) +
                                   " was altered and the chain rewritten after it");
      return false;
    }
    ++result_.seals;
    result_.sealed_through = e.id;
    first_unsealed_id_ = 0;
  }
  return true;
}

AuditVerification AuditChainVerifier::finish() {
  begin_walk();
  if (next_seal_ < seals_.size()) {
    const SealedHead& seal = seals_[next_seal_];
    fail(last_id_ + 1, "the log ends at entry " + entry_name(last_id_) + ", but seal " +
                           std::to_string(seal.seal_id) + " covers entries up to " +
                           entry_name(seal.head_id) + ": entries were deleted from its end");
  }
  return result_;
}

}  // namespace coffer
