// The PostgreSQL driver's users, API tokens and sessions (auth.h). Changes go
// through the store's writer, each with its admin_actions row in the same
// transaction; lookups use the read connections.
#pragma once

#include <functional>
#include <optional>

#include "snapq/auth.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/writer.h"

namespace snapq::pg {

class PgAuth final : public AuthStore {
 public:
  // Lends a read connection to `fn` for the duration of the call.
  using WithReader = std::function<Status(const std::function<Status(Conn&)>& fn)>;

  PgAuth(Writer& writer, WithReader with_reader) : writer_(writer), with_reader_(std::move(with_reader)) {}

  Result<User> addUser(const AddUserRequest& request) override;
  Status setPassword(const SetPasswordRequest& request) override;
  Status setRole(const SetRoleRequest& request) override;
  Status setDisabled(const SetDisabledRequest& request) override;
  Status removeUser(const RemoveUserRequest& request) override;
  Result<std::vector<User>> listUsers() override;
  Result<std::optional<User>> findUser(const std::string& name) override;
  Result<int64_t> countUsers() override;

  Result<ApiToken> createToken(const CreateTokenRequest& request) override;
  Result<std::vector<ApiToken>> listTokens(const std::optional<std::string>& user_name) override;
  Status revokeToken(const RevokeTokenRequest& request) override;
  Result<std::optional<TokenMatch>> findTokenByHash(const FindTokenRequest& request) override;

  Status createSession(const CreateSessionRequest& request) override;
  Result<std::optional<SessionMatch>> findSession(const FindSessionRequest& request) override;
  Status touchSession(const std::string& id_hash, TimePoint now) override;
  Status deleteSession(const std::string& id_hash) override;
  Result<int64_t> deleteExpiredSessions(TimePoint now, Duration idle) override;

 private:
  template <typename T>
  Result<T> read(const std::function<Result<T>(Conn&)>& fn) {
    std::optional<Result<T>> out;
    Status s = with_reader_([&](Conn& db) {
      out.emplace(fn(db));
      return out->status();
    });
    if (!s) return s;
    return std::move(*out);
  }

  Writer& writer_;
  WithReader with_reader_;
};

}  // namespace snapq::pg
