// Renders the route table as an OpenAPI 3.0 document, so the document cannot
// drift from the routes the server actually has.
#include "server/internal/api.h"
#include "server/internal/errors.h"

namespace candor {

nlohmann::json BuildOpenApi(const std::vector<Route>& routes, const std::string& version) {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& route : routes) {
    nlohmann::json operation = {{"summary", route.summary}};
    nlohmann::json parameters = nlohmann::json::array();
    for (const char* name : {"id", "message", "seq", "name", "file"}) {
      if (route.pattern.find("{" + std::string(name) + "}") != std::string::npos) {
        parameters.push_back(
            {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
      }
    }
    if (route.stream) {
      parameters.push_back({{"name", "Last-Event-ID"},
                            {"in", "header"},
                            {"required", false},
                            {"schema", {{"type", "integer"}}}});
    }
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (!route.request_schema.is_null()) {
      operation["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", route.request_schema}}}}}};
    }
    nlohmann::json responses = nlohmann::json::object();
    for (const auto& [code, description] : route.responses.items()) {
      responses[code] = {{"description", description}};
      // Error bodies all have one shape, their codes from the one table.
      const std::string text = description.get<std::string>();
      if (code >= "400" && text.rfind("error", 0) == 0) {
        responses[code]["content"] = {
            {"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
      }
    }
    operation["responses"] = responses;
    // Who may call it, exactly as the server checks it, for clients and for
    // the access-matrix test that covers every route.
    static constexpr const char* kAccessNames[] = {"public", "conversation", "customer", "agent",
                                                   "admin"};
    operation["x-candor-access"] = kAccessNames[static_cast<int>(route.access)];
    if (route.stream) operation["x-candor-stream"] = true;
    switch (route.access) {
      case Access::kPublic:
        operation["security"] = nlohmann::json::array();
        break;
      case Access::kAgent:
        operation["security"] = {{{"agentToken", nlohmann::json::array()}}};
        break;
      case Access::kAdmin:
        operation["security"] = {{{"agentToken", nlohmann::json::array()}}};
        operation["description"] = "Only agents with the admin role.";
        break;
      case Access::kCustomer:
        operation["security"] = {{{"customerToken", nlohmann::json::array()}}};
        break;
      case Access::kConversation:
        operation["security"] = {{{"customerToken", nlohmann::json::array()}},
                                 {{"agentToken", nlohmann::json::array()}}};
        break;
    }
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    paths[route.pattern][method] = operation;
  }
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "candor"}, {"version", version}}},
          {"paths", paths},
          {"components",
           {{"schemas", {{"Error", ErrorSchema()}}},
            {"securitySchemes",
             {{"customerToken",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description", "the customer_token returned when the conversation was made"}}},
              {"agentToken",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description", "the token from /api/v1/agents/login"}}}}}}}};
}

}  // namespace candor
