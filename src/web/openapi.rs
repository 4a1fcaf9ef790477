//! The OpenAPI description of the API as it answers: the handlers'
//! annotations, completed by one pass with what the layers around them
//! send (authentication, body limits and media types, rate limits and
//! caps, timeouts), binary bodies described as binary, and the error body
//! on every refusal. `tests/it/openapi.rs` validates real answers of every
//! route against it.

use serde_json::{Map, Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::public;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vanthu",
        description = "Registers of incoming and outgoing official documents (Decree 30/2020/NĐ-CP). \
                       Authenticate with `Authorization: Bearer TOKEN` (`vanthu user add NAME --role clerk`).",
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "documents", description = "The incoming and outgoing registers"),
        (name = "admin", description = "Users, units, officials"),
        (name = "system", description = "Health and audit"),
        (name = "compliance", description = "The plan's targets measured")
    )
)]
pub(super) struct ApiDoc;

struct BearerAuth;
impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The public routes' description: no token, rate-limited per address.
#[derive(OpenApi)]
#[openapi(
    paths(
        public::checkpoint,
        public::vkey,
        public::tile,
        public::inclusion,
        public::consistency,
        public::receipt,
        public::documents,
        public::document,
        public::lookup,
        public::stats,
        public::dashboard,
        public::feed_atom,
        public::feed_json,
        public::check
    ),
    tags((name = "public", description = "The public transparency log and document feed: no token; 20 requests a second per address"))
)]
struct PublicDoc;

/// The OpenAPI description: generated from the handlers, then completed
/// with what the layers around them answer (see [`complete`]).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = super::api_router(0).split_for_parts().1;
    spec.merge(PublicDoc::openapi());
    let mut doc = serde_json::to_value(&spec).unwrap_or(Value::Null);
    complete(&mut doc);
    // The completed document is the same type back (it only gained fields
    // the type holds); should that ever fail, the generated one is served.
    serde_json::from_value(doc).unwrap_or(spec)
}

/// The routes whose bodies are uploads (a PDF, or multipart with a PDF):
/// capped at once, with a deadline, and verified in a bounded pool.
const UPLOADS: &[&str] = &[
    "/api/v1/documents/incoming",
    "/api/v1/documents/outgoing",
    "/api/v1/verify",
    "/public/v1/check",
];

/// Bodies that are not JSON: (path, media types of the 200 answer, binary?).
const NON_JSON: &[(&str, &[&str], bool)] = &[
    ("/api/v1/documents/{id}/file", &["application/pdf"], true),
    (
        "/api/v1/documents/{id}/revisions/{n}",
        &["application/pdf"],
        true,
    ),
    (
        "/api/v1/compliance/export",
        &[
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ],
        true,
    ),
    (
        "/api/v1/registers/{book}",
        &["text/html", "text/csv"],
        false,
    ),
    ("/log/checkpoint", &["text/plain"], false),
    ("/log/vkey", &["text/plain"], false),
    ("/log/tile/{path}", &["application/octet-stream"], true),
    ("/public/v1/documents/{id}/receipt", &["text/plain"], false),
    ("/public/v1/feed.atom", &["application/atom+xml"], false),
    ("/public/v1/feed.json", &["application/feed+json"], false),
    ("/public/dashboard", &["text/html"], false),
];

fn error_content() -> Value {
    json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}})
}

/// Add status `code` to `responses` when absent, with the error body; give
/// a documented refusal the error body when it lacks one.
fn refusal(responses: &mut Map<String, Value>, code: &str, description: &str) {
    let r = responses
        .entry(code.to_string())
        .or_insert_with(|| json!({"description": description}));
    if let Some(o) = r.as_object_mut() {
        if o.get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            o.insert("description".into(), description.into());
        }
        o.entry("content").or_insert_with(error_content);
    }
}

fn binary(media: &str) -> Value {
    json!({"type": "string", "format": "binary", "contentMediaType": media})
}

/// Complete the generated description with what the code around the
/// handlers answers. Each rule follows a layer of `super::router`:
/// - every `/api/v1` route authenticates (401);
/// - a body is read with a deadline between pieces (408), a size limit
///   (413) and a media type (415), and may be malformed (400);
/// - query parameters are checked: unknown or repeated (422), malformed
///   (400);
/// - a path names something that may not exist (404);
/// - public routes are rate-limited per address (429) and capped at once
///   (503), as are uploads (503: too many at once, or no verification
///   worker free in time).
///
/// Long because: one rule per layer of the router, in the order the layers wrap the handlers.
pub fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let public = path.starts_with("/public") || path.starts_with("/log");
        let upload = UPLOADS.contains(&path.as_str());
        for (method, op) in item.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let params: Vec<String> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| p.get("in").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let has_body = op.contains_key("requestBody");
            refine_parameters(path, op);
            if upload {
                describe_upload(path, op);
            }
            if let Some(schema) = body_schema(path, method) {
                op["requestBody"]["content"] = json!({"application/json": {"schema": schema}});
            }
            let responses = op
                .entry("responses")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            let Some(responses) = responses else {
                continue;
            };
            if !public {
                refusal(responses, "401", "No token, or a token that is not valid");
            }
            if has_body {
                refusal(responses, "400", "Malformed body");
                refusal(responses, "408", "The body stopped arriving");
                refusal(responses, "413", "Body over the limit");
                refusal(
                    responses,
                    "415",
                    "Body of a media type this route does not take",
                );
            }
            if params.iter().any(|p| p == "query") {
                refusal(responses, "400", "Malformed query");
                refusal(
                    responses,
                    "422",
                    "A query parameter that is unknown, repeated or not valid",
                );
            }
            if params.iter().any(|p| p == "path") {
                refusal(responses, "404", "No such resource");
            }
            if public {
                refusal(
                    responses,
                    "429",
                    "Too many requests from this address; see Retry-After",
                );
                refusal(
                    responses,
                    "503",
                    "Too many requests at once; see Retry-After",
                );
            }
            if upload {
                refusal(
                    responses,
                    "503",
                    "Too many uploads at once, or no verification worker free in time; see Retry-After",
                );
            }
            if let Some((_, media, is_binary)) = NON_JSON.iter().find(|(p, _, _)| p == path)
                && let Some(ok) = responses.get_mut("200").and_then(Value::as_object_mut)
            {
                let content: Map<String, Value> = media
                    .iter()
                    .map(|m| {
                        let schema = if *is_binary {
                            binary(m)
                        } else if m.ends_with("+json") {
                            json!({"type": "object", "description": "JSON Feed 1.1"})
                        } else {
                            json!({"type": "string"})
                        };
                        (m.to_string(), json!({"schema": schema}))
                    })
                    .collect();
                ok.insert("content".into(), Value::Object(content));
            }
        }
    }
}

/// An upload's body: the PDF as binary (`application/pdf`) or multipart;
/// a registration's metadata as JSON alone or as the multipart part
/// `metadata` beside the file.
fn describe_upload(path: &str, op: &mut Map<String, Value>) {
    let registration = path.starts_with("/api/v1/documents/");
    let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) else {
        return;
    };
    let content = if registration {
        json!({
            "multipart/form-data": {"schema": {
                "type": "object",
                "required": ["metadata"],
                "properties": {
                    "metadata": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": {"$ref": "#/components/schemas/DocumentMetadata"},
                        "description": "the document's metadata, as JSON"
                    },
                    "file": binary("application/pdf"),
                }
            }},
            "application/json": {"schema": {"$ref": "#/components/schemas/DocumentMetadata"}}
        })
    } else {
        json!({
            "application/pdf": {"schema": binary("application/pdf")},
            "multipart/form-data": {"schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": binary("application/pdf")}
            }}
        })
    };
    body.insert("content".into(), content);
}

/// The values a query or path parameter takes, as the handlers check
/// them, by parameter name (and route where a name means two things).
fn constraint(path: &str, name: &str) -> Option<Value> {
    use crate::registry::types::{Channel, Counterpart, Direction, Secrecy, Status, Urgency};
    fn spellings<T: std::fmt::Display>(all: &[T]) -> Value {
        json!({"type": "string", "enum": all.iter().map(|v| v.to_string()).collect::<Vec<_>>()})
    }
    let date = json!({"type": "string", "format": "date"});
    let proofs = path.starts_with("/public/v1/proof/");
    Some(match name {
        "from" | "to" if !proofs => date,
        "direction" => spellings(Direction::ALL),
        "status" => spellings(Status::ALL),
        "secrecy" => spellings(Secrecy::ALL),
        "urgency" => spellings(Urgency::ALL),
        "channel" => spellings(Channel::ALL),
        "counterpart" => spellings(Counterpart::ALL),
        "group_by" => json!({"type": "string", "enum": ["unit", "month", "type"]}),
        "as_verified" => json!({"type": "string", "enum": ["now", "registration"]}),
        "kind" => json!({"type": "string", "enum": ["metrics", "evidence"]}),
        "metric" => {
            json!({"type": "string", "enum": crate::compliance::METRICS.iter().map(|m| m.0).collect::<Vec<_>>()})
        }
        "format" if path == "/api/v1/compliance/export" => {
            json!({"type": "string", "enum": ["csv", "xlsx"]})
        }
        "format" if path.starts_with("/api/v1/registers/") => {
            json!({"type": "string", "enum": ["html", "csv"]})
        }
        "series" => json!({"type": "string", "enum": ["normal", "secret"]}),
        "book" => json!({"type": "string", "enum": ["incoming", "outgoing", "followup"]}),
        "page" => {
            json!({"type": "integer", "minimum": 1, "maximum": crate::registry::documents::MAX_PAGE})
        }
        "per_page" => json!({"type": "integer", "minimum": 1, "maximum": 200}),
        "year" => {
            use chrono::Datelike;
            json!({"type": "integer", "minimum": 1945, "maximum": chrono::Utc::now().year() + 1})
        }
        "number_symbol" => json!({"type": "string", "minLength": 1, "maxLength": 100}),
        "id" => json!({"type": "integer", "format": "int32", "minimum": 1}),
        _ => return None,
    })
}

/// Give each parameter the values the handler accepts; the public search
/// lists only the filters the public may use.
fn refine_parameters(path: &str, op: &mut Map<String, Value>) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    if path == "/public/v1/documents" {
        params.retain(|p| {
            p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| super::search::PUBLIC_LIST_PARAMS.contains(&n))
        });
    }
    for p in params.iter_mut() {
        let (Some(name), Some(place)) = (
            p.get("name").and_then(Value::as_str),
            p.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        if place == "header" {
            continue;
        }
        let in_query = place == "query";
        if let Some(schema) = constraint(path, name) {
            p["schema"] = schema;
        }
        // An empty query value counts as absent (`?unit=` filters nothing).
        if in_query {
            p["allowEmptyValue"] = Value::Bool(true);
        }
    }
}

/// The JSON bodies of the document-changing routes, as the registry checks
/// them (required fields, choices, lengths; unknown fields refused).
fn body_schema(path: &str, method: &str) -> Option<Value> {
    let text = |max: u32| json!({"type": "string", "pattern": "\\S", "maxLength": max});
    let nullable_text = |max: u32| json!({"type": ["string", "null"], "maxLength": max});
    let date = json!({"type": ["string", "null"], "format": "date"});
    let tail = path.rsplit('/').next().unwrap_or("");
    if !path.starts_with("/api/v1/documents/{id}/") {
        return None;
    }
    Some(match (method, tail) {
        ("post", "recall" | "reopen") => json!({
            "type": "object",
            "required": ["reason"],
            "properties": {"reason": text(2000)},
            "additionalProperties": false
        }),
        ("post", "secrecy") => json!({
            "type": "object",
            "required": ["secrecy", "reason"],
            "properties": {
                "secrecy": {"type": "string", "enum": ["mat", "toi_mat", "tuyet_mat"], "description": "higher than the document's present level"},
                "reason": text(2000)
            },
            "additionalProperties": false
        }),
        ("patch", "handling") => json!({
            "type": "object",
            "minProperties": 1,
            "properties": {
                "unit": {"type": ["string", "null"], "maxLength": 32, "description": "an active unit's code"},
                "handler": nullable_text(200),
                "due_on": date.clone(),
                "status": {"type": "string", "enum": ["registered", "assigned", "in_progress", "done"]},
                "instruction": nullable_text(2000),
                "progress": nullable_text(2000),
                "resolved_on": date,
                "reply_number_symbol": nullable_text(100)
            },
            "additionalProperties": false
        }),
        _ => return None,
    })
}
