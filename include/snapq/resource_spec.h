// The model of one resource of a service, as the config file declares it:
// its key, typed fields, scope parent, sync schedule and, for the declarative
// `rest` connector, the HTTP requests that list, read and change it.
// Everything here is plain data, checked by the loader (config.h); the
// snapshot tables, the `rest` connector and the sync / mutation engines read
// it and never see YAML. docs/CONFIG.md describes the same keys for users.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snapq {

// ---------------------------------------------------------------- fields

enum class FieldType { string, integer, number, boolean, json };
const char* fieldTypeName(FieldType type);  // "string", "integer", ...

// A path into a remote JSON document: members separated by '.', array
// indices in brackets, members with unusual characters quoted in brackets:
// "data", "result_info.total_pages", "rrsets[0]", "[\"@odata.nextLink\"]".
// The empty path is the document itself.
struct JsonPath {
  struct Step {
    std::string member;  // used when index < 0
    int index = -1;
    bool operator==(const Step&) const = default;
  };
  std::vector<Step> steps;
  std::string text;  // as written

  bool isRoot() const { return steps.empty(); }
  // nullopt and a reason in *error when `text` is not a path.
  static std::optional<JsonPath> parse(std::string_view text, std::string* error = nullptr);
};

struct FieldSpec {
  std::string name;  // [a-z][a-z0-9_]*: a snapshot column, a payload member, a template variable
  FieldType type = FieldType::string;
  JsonPath path;                    // where the value is in the remote object; by default the member named `name`
  bool indexed = false;             // the snapshot column gets an index (exact filters, sorting)
  bool searchable = false;          // part of the `q` text search (string fields only)
  bool hashed = true;               // part of the content hash (change and conflict detection)
  bool write_only = false;          // sent in payloads, never read back, stored or hashed (passwords)
  bool required_on_create = false;  // a create payload without it is refused at dispatch
};

// The column names snapq's snapshot tables use for themselves; no field may
// take one. Anything else a snapshot module adds starts with '_', which a
// field name cannot. Column names are always quoted in SQL ("user" is a
// PostgreSQL keyword, and a valid field name).
const std::vector<std::string>& reservedFieldNames();

// ---------------------------------------------------------------- keys

// The key string of an object from the texts of its key fields (integers in
// decimal, strings as they are). One part: the text itself ("42",
// "alice@example.test"). Several parts: each with '%' written "%25" and '/'
// written "%2F", joined by '/' ("www.example.test./A" for PowerDNS [name, type]).
std::string joinKey(const std::vector<std::string>& parts);
// The inverse for a key of `count` parts; nullopt when the text does not
// have exactly that many parts or has a bad escape.
std::optional<std::vector<std::string>> splitKey(std::string_view key, size_t count);

// ---------------------------------------------------------------- templates

// Text with {variable} placeholders, used for paths, query values and body
// leaves: "/zones/{zone_id}/records/{key}". "{{" and "}}" are literal braces.
// Variables are `key` (the object's key string), a field name, a scope
// variable (config.h: ScopeSpec::var, also those of the parent's scope), and,
// as a whole body leaf only, `$payload`.
struct Template {
  struct Part {
    bool variable = false;
    std::string text;  // the literal text, or the variable's name
    bool operator==(const Part&) const = default;
  };
  std::vector<Part> parts;  // with ${ENV} references already resolved
  std::string text;         // as written in the file (for messages and dumps)

  static std::optional<Template> parse(std::string_view text, std::string* error = nullptr);
  // Every variable, in order of appearance (repeats kept).
  std::vector<std::string> variables() const;
  // "{ttl}" with nothing around it: "ttl". A body leaf that is one variable
  // takes the value with its JSON type (300, not "300"; an array stays one).
  std::optional<std::string> soleVariable() const;
  bool empty() const { return parts.empty(); }
};

inline constexpr std::string_view kKeyVariable = "key";
inline constexpr std::string_view kPayloadVariable = "$payload";

// ---------------------------------------------------------------- requests

enum class HttpMethod { get, post, put, patch, delete_ };
const char* httpMethodName(HttpMethod method);  // "GET", "POST", "PUT", "PATCH", "DELETE"

enum class BodyEncoding { json, form };  // form: application/x-www-form-urlencoded

struct QueryParam {
  std::string name;
  Template value;
};

// One HTTP request of the `rest` connector. The URL is the instance's
// base_url + path, then the query parameters in order (URL-encoded).
//
// Rendering, which every consumer must do the same way:
// - Path variables are percent-encoded as one path segment each.
// - A body is a JSON template: every string leaf is a Template. A leaf that is
//   one variable takes the typed value ("{ttl}" -> 300, "{records}" -> the
//   array); a member whose sole variable has no value is left out (an array
//   element becomes null). Leaves with text around variables are text.
//   "{$payload}" is the payload with each field at its `path`.
// - Field values come from the intended object: for create the payload, for
//   update the snapshot row's values overlaid with the payload, for delete and
//   custom actions the row (overlaid with the action's payload), for get the
//   row (or, reading back a create, the payload). A list request can only use
//   scope variables.
struct RequestSpec {
  HttpMethod method = HttpMethod::get;
  Template path;
  std::vector<QueryParam> query;
  std::string body;  // JSON text of the body template; empty: no body
  BodyEncoding encoding = BodyEncoding::json;
  std::vector<int> success;  // statuses that mean success; empty: any 2xx
};

struct Pagination {
  enum class Kind {
    none,    // one request returns everything
    page,    // page_param = start, start+1, ...; per_page_param = per_page
    offset,  // offset_param = 0, limit, 2*limit, ...; limit_param = limit
    cursor,  // cursor_param = the value at next_cursor in the previous response
    link,    // follow the RFC 8288 (5988) `Link: <url>; rel="next"` header
  };
  Kind kind = Kind::none;
  // page: stops after the page number at total_pages, or, when total_pages
  // is the root path, at the first page shorter than per_page (or empty).
  std::string page_param = "page";
  std::string per_page_param = "per_page";
  int per_page = 100;
  int start = 1;
  JsonPath total_pages;
  // offset: stops at the first page shorter than limit (or empty).
  std::string offset_param = "offset";
  std::string limit_param = "limit";
  int limit = 100;
  // cursor: stops when next_cursor is missing, null or "".
  std::string cursor_param = "cursor";
  JsonPath next_cursor;
  // link: the first request is the list request as configured (put the page
  // size in its query); stops when there is no rel="next".
};
const char* paginationKindName(Pagination::Kind kind);

struct ListSpec {
  RequestSpec request;
  JsonPath items;  // where the array of objects is ("data", "result", "rrsets"); root: a bare array
  Pagination pagination;
};

struct GetSpec {
  RequestSpec request;
  // Where the object is in the response ("data", "result", "rrsets[0]");
  // root: the whole body. Nothing at this path means the object does not
  // exist, as a 404 would.
  JsonPath item;
};

enum class ConflictStrategy {
  conflict,         // compare the remote object's hash with the expected one first
  last_write_wins,  // write without looking
};
const char* conflictStrategyName(ConflictStrategy strategy);

// What a successful write's response says about the object.
enum class WriteReturns {
  none,      // nothing useful: read the object back with the get request
  object,    // the object, at `item`
  location,  // a `Location` header naming the object's URL: GET it (for a
             // created object whose key the server chose)
};
const char* writeReturnsName(WriteReturns returns);

// create, update, delete, or a custom action.
struct WriteSpec {
  std::string name;   // "create", "update", "delete" or the custom action's name
  std::string label;  // for people: "Create", "Suspend account"
  ConflictStrategy conflict = ConflictStrategy::conflict;
  // Always set for the `rest` connector; a C++ connector may declare writes
  // without one (to give them a label and a conflict strategy).
  std::optional<RequestSpec> request;
  WriteReturns returns = WriteReturns::none;  // a delete with none reads nothing back
  JsonPath item;                              // where the object is in the response when returns == object
};

// ---------------------------------------------------------------- resource

// A resource listed per object of a parent resource: records of each zone.
// The parent object's value (its key, or parent_field) is bound to `var` in
// templates; a sync of one scope passes it, a sync without scope runs once
// per parent row. Snapshot rows of a scoped resource carry that value.
struct ScopeSpec {
  std::string parent;        // a resource of the same service
  std::string var;           // template variable: "zone_id"
  std::string parent_field;  // a field of the parent; empty: the parent's key
};

struct ResourceSpec {
  std::string name;  // [a-z][a-z0-9_]*; the snapshot table is snap_<service>_<name>
  // The key's fields (one, or several for a composite key; see joinKey).
  // Each is a declared field of type string or integer, not write-only.
  std::vector<std::string> key;
  std::vector<FieldSpec> fields;  // in the file's order
  std::optional<ScopeSpec> scope;

  std::optional<ListSpec> list;  // always set for the `rest` connector
  // Reads one object by key: the conflict check and the read-back after a
  // write. The loader requires it wherever a write needs it.
  std::optional<GetSpec> get;
  std::optional<WriteSpec> create;
  std::optional<WriteSpec> update;
  std::optional<WriteSpec> remove;  // "delete" in the file
  std::vector<WriteSpec> actions;   // custom actions, in the file's order

  std::string schedule;         // 5-field cron expression; empty: sync on demand only
  double deletion_guard = 0.5;  // a sync may delete at most this share of the snapshot without `force`

  const FieldSpec* field(std::string_view name) const;
  bool isKeyField(std::string_view name) const;
  // create/update/delete by those names, else a custom action; nullptr if none.
  const WriteSpec* write(std::string_view action) const;
};

// "snap_<service>_<resource>".
std::string snapshotTableName(std::string_view service, std::string_view resource);

}  // namespace snapq
