// What the two files of the "Services and snapshots" routes share
// (routes_services.cc: reads; routes_dispatch.cc: syncs and mutations).
#pragma once

#include "http/routes.h"
#include "snapq/snapshot.h"

namespace snapq::http {

// The resource named by the path's {service} and {resource}: a 404 when no
// services are configured (serve without --config) or there is no such one.
Parsed<SnapshotTable> resourceOf(ApiContext& ctx, const ApiRequest& r);

// A 404 unless the resource's service has this instance.
std::optional<Reply> unknownInstance(const SnapshotTable& table, ApiContext& ctx, const std::string& instance);

// A string member of a body, unset when absent; a 400 naming it when it is not a string.
Parsed<std::optional<std::string>> stringMember(const nlohmann::json& body, const char* name);

// POST .../{resource}, PATCH and DELETE .../{key}, POST .../actions/{action}, POST .../sync.
void addServiceWriteRoutes(Router& router, ApiContext& ctx);

}  // namespace snapq::http
