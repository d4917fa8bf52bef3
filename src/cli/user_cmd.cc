// snapq user add|passwd|list|remove: the people who may log in. Passwords are
// read from stdin (never from the command line, where `ps` and shell history
// would see them) and stored as Argon2id hashes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "cli/cli_common.h"
#include "core/time_format.h"

namespace snapq::cli {
namespace {

AuthChange cliChange() { return {cliActor(), "cli", SystemClock().now()}; }

// One line from stdin, without its line ending.
Result<std::string> readPassword() {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    return Status::invalidArgument("no password on stdin (--password-stdin reads one line)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int runAdd(const std::string& db, const std::string& name, const std::string& role_name) {
  auto role = parseRole(role_name);
  if (!role) return usageError("unknown role '" + role_name + "'; use viewer, operator or admin");
  if (Status s = auth::checkUserName(name); !s) return reportStatus(s);
  auto password = readPassword();
  if (!password) return reportStatus(password.status());
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  auth::Auth auth(store->auth());
  auto user = auth.addUser(name, *role, *password, cliChange());
  if (!user) return reportStatus(user.status());
  std::cout << "user " << user->name << " added with role " << toString(user->role) << '\n';
  return kExitOk;
}

int runPasswd(const std::string& db, const std::string& name) {
  auto password = readPassword();
  if (!password) return reportStatus(password.status());
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  auth::Auth auth(store->auth());
  if (Status s = auth.setPassword(name, *password, cliChange()); !s) return reportStatus(s);
  std::cout << "password of " << name << " changed; its sessions were ended\n";
  return kExitOk;
}

int runList(const std::string& db, bool json) {
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  auto users = store->auth().listUsers();
  if (!users) return reportStatus(users.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const User& u : *users) {
      out.push_back({{"name", u.name},
                     {"role", toString(u.role)},
                     {"disabled", u.disabled},
                     {"created_at", formatIso(u.created_at)},
                     {"updated_at", formatIso(u.updated_at)}});
    }
    std::cout << nlohmann::json{{"users", out}}.dump() << '\n';
    return kExitOk;
  }
  std::printf("%-24s %-9s %-9s %s\n", "NAME", "ROLE", "STATE", "CREATED");
  for (const User& u : *users) {
    std::printf("%-24s %-9s %-9s %s\n", u.name.c_str(), toString(u.role), u.disabled ? "disabled" : "active",
                formatIso(u.created_at).c_str());
  }
  return kExitOk;
}

int runRemove(const std::string& db, const std::string& name) {
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  if (Status s = store->auth().removeUser({name, cliChange()}); !s) return reportStatus(s);
  std::cout << "user " << name << " removed with its tokens and sessions\n";
  return kExitOk;
}

}  // namespace

void addUserCommand(CLI::App& app, Action& chosen) {
  CLI::App* user = app.add_subcommand("user", "manage the users who may log in");
  user->require_subcommand(0, 1);

  struct Options {
    std::string db, name, role;
    bool password_stdin = false, json = false;
  };
  auto o = std::make_shared<Options>();

  CLI::App* add = user->add_subcommand("add", "add a user; the password is read from stdin");
  addDbOption(*add, o->db);
  add->add_option("NAME", o->name, "user name")->required();
  add->add_option("--role", o->role, "viewer, operator or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  add->add_flag("--password-stdin", o->password_stdin, "read the password (one line) from stdin")->required();
  add->callback([o, &chosen] { chosen = [o] { return runAdd(o->db, o->name, o->role); }; });

  CLI::App* passwd = user->add_subcommand("passwd", "set a user's password, read from stdin");
  addDbOption(*passwd, o->db);
  passwd->add_option("NAME", o->name, "user name")->required();
  passwd->add_flag("--password-stdin", o->password_stdin, "read the password (one line) from stdin")->required();
  passwd->callback([o, &chosen] { chosen = [o] { return runPasswd(o->db, o->name); }; });

  CLI::App* list = user->add_subcommand("list", "list users (never their passwords)");
  addDbOption(*list, o->db);
  list->add_flag("--json", o->json, "print JSON");
  list->callback([o, &chosen] { chosen = [o] { return runList(o->db, o->json); }; });

  CLI::App* remove = user->add_subcommand("remove", "remove a user with its tokens and sessions");
  addDbOption(*remove, o->db);
  remove->add_option("NAME", o->name, "user name")->required();
  remove->callback([o, &chosen] { chosen = [o] { return runRemove(o->db, o->name); }; });
}

}  // namespace snapq::cli
