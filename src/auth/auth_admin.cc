// Administration of users and tokens, and the first admin.
#include "auth/auth_service.h"
#include "core/passwords.h"
#include "core/permissions.h"
#include "core/secrets.h"

namespace snapq::auth {

Status checkUserName(const std::string& name) {
  if (name.empty() || name.size() > 64) return Status::invalidArgument("user name must be 1 to 64 characters long");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '@' || c == '-';
    if (!ok) return Status::invalidArgument("user name may hold only letters, digits, '_', '.', '@' and '-'");
  }
  return Status::ok();
}

Result<User> Auth::addUser(const std::string& name, Role role, const std::string& password, const AuthChange& by) {
  if (Status s = checkUserName(name); !s) return s;
  if (Status s = checkPasswordPolicy(password); !s) return s;
  auto hash = hashPassword(password);
  if (!hash) return hash.status();
  return store_.addUser({name, role, *hash, by});
}

Status Auth::setPassword(const std::string& name, const std::string& password, const AuthChange& by) {
  if (Status s = checkPasswordPolicy(password); !s) return s;
  auto hash = hashPassword(password);
  if (!hash) return hash.status();
  return store_.setPassword({name, *hash, by});
}

Result<IssuedToken> Auth::createToken(const NewTokenSpec& spec, const AuthChange& by) {
  if (spec.name.size() > 100) return Status::invalidArgument("token name must be at most 100 characters");
  if (spec.lifetime && *spec.lifetime <= Duration(0)) return Status::invalidArgument("token lifetime must be positive");
  auto user = store_.findUser(spec.user);
  if (!user) return user.status();
  if (!*user) return Status::notFound("user '" + spec.user + "' does not exist");
  if (spec.permissions) {
    if (spec.permissions->empty()) return Status::invalidArgument("a token needs at least one permission");
    PermissionSet granted = rolePermissions((*user)->role);
    if (!granted.containsAll(*spec.permissions)) {
      return Status::invalidArgument("user '" + spec.user + "' (role " + toString((*user)->role) +
                                     ") does not have all of: " + formatPermissionList(*spec.permissions));
    }
  }
  IssuedToken issued;
  issued.token = newApiToken();
  CreateTokenRequest request;
  request.user_name = spec.user;
  request.name = spec.name;
  request.token_hash = secretHash(issued.token);
  request.permissions = spec.permissions;
  if (spec.lifetime) request.expires_at = by.now + *spec.lifetime;
  request.by = by;
  auto record = store_.createToken(request);
  if (!record) return record.status();
  issued.record = std::move(*record);
  return issued;
}

Result<BootstrapResult> Auth::bootstrapAdmin(TimePoint now, const std::optional<std::string>& password) {
  BootstrapResult result;
  auto count = store_.countUsers();
  if (!count) return count.status();
  if (*count > 0) return result;
  std::string chosen = password.value_or("");
  if (!password) chosen = result.generated_password = randomPassword(20);
  if (Status s = checkPasswordPolicy(chosen); !s)
    return Status::invalidArgument("SNAPQ_ADMIN_PASSWORD: " + s.message());
  auto added = addUser("admin", Role::admin, chosen, {Actor::system(), "", now});
  if (!added) {
    // Another node bootstrapped at the same moment: its admin stands.
    if (added.status().code() == ErrorCode::already_exists) return BootstrapResult{};
    return added.status();
  }
  result.created = true;
  return result;
}

}  // namespace snapq::auth
