//! The HTTP edge (axum): router, authentication, one module per resource,
//! and the error → response mapping. Handlers stay thin: extract, call the
//! registry, render.

pub mod admin;
pub mod auth;
pub mod compliance;
pub mod documents;
pub mod error;
pub mod extract;
pub mod public;
pub mod ratelimit;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::ConnectionTrait;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::registry::Registry;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The registry service.
    pub registry: Arc<Registry>,
    /// The transparency log.
    pub log: Arc<crate::public::log::Log>,
    /// Evidence exports allowed at once (each judges the whole period in
    /// memory): one.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The last public statistics computed, with what they were computed for.
    pub stats_cache: Arc<tokio::sync::Mutex<Option<public::StatsEntry>>>,
}

impl AppState {
    /// The state of one server.
    pub fn new(registry: Arc<Registry>, log: Arc<crate::public::log::Log>) -> Self {
        Self {
            registry,
            log,
            exports: Arc::new(tokio::sync::Semaphore::new(1)),
            stats_cache: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }
}

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
struct ApiDoc;

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

/// The OpenAPI description generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = api_router(0).split_for_parts().1;
    spec.merge(PublicDoc::openapi());
    spec
}

fn api_router(max_upload: u64) -> OpenApiRouter<AppState> {
    // Uploads: the file plus room for the metadata part and multipart framing.
    let upload_limit = usize::try_from(max_upload)
        .unwrap_or(usize::MAX)
        .saturating_add(1_000_000);
    let uploads = OpenApiRouter::new()
        .routes(routes!(documents::register_incoming))
        .routes(routes!(documents::register_outgoing))
        .routes(routes!(documents::verify_pdf))
        .layer(DefaultBodyLimit::max(upload_limit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(documents::list_documents))
        .routes(routes!(documents::get_document))
        .routes(routes!(documents::download_file))
        .routes(routes!(documents::update_handling))
        .routes(routes!(documents::recall_document))
        .routes(routes!(documents::document_history))
        .routes(routes!(documents::verification_history))
        .routes(routes!(documents::doc_types))
        .routes(routes!(admin::me))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::update_user))
        .routes(routes!(admin::list_units, admin::create_unit))
        .routes(routes!(admin::update_unit))
        .routes(routes!(admin::list_officials, admin::create_official))
        .routes(routes!(admin::add_certificate))
        .routes(routes!(admin::audit_verify))
        .routes(routes!(compliance::metrics))
        .routes(routes!(compliance::evidence))
        .routes(routes!(compliance::export))
        .routes(routes!(compliance::register_book))
        .layer(DefaultBodyLimit::max(extract::JSON_LIMIT))
        .merge(uploads)
}

/// Build the application router over `state`.
pub fn router(state: AppState) -> Router {
    let (api, mut spec) = api_router(state.registry.max_upload_bytes).split_for_parts();
    spec.merge(PublicDoc::openapi());
    let upload_limit = usize::try_from(state.registry.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1_000_000);
    let limiter = ratelimit::Limiter::new(20.0, 100.0);
    let public_routes = Router::new()
        .route("/log/checkpoint", get(public::checkpoint))
        .route("/log/vkey", get(public::vkey))
        .route("/log/tile/{*path}", get(public::tile))
        .route("/public/v1/proof/inclusion", get(public::inclusion))
        .route("/public/v1/proof/consistency", get(public::consistency))
        .route("/public/v1/documents/{id}/receipt", get(public::receipt))
        .route("/public/v1/documents", get(public::documents))
        .route("/public/v1/documents/{id}", get(public::document))
        .route("/public/v1/lookup", get(public::lookup))
        .route("/public/v1/stats", get(public::stats))
        .route("/public/dashboard", get(public::dashboard))
        .route("/public/v1/feed.atom", get(public::feed_atom))
        .route("/public/v1/feed.json", get(public::feed_json))
        .route(
            "/public/v1/check",
            axum::routing::post(public::check).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            limiter,
            ratelimit::limit,
        ));
    api.route("/healthz", get(healthz))
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/public/dashboard") }),
        )
        .merge(public_routes)
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", spec))
        .fallback(not_found)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found() -> Response {
    error::error_response(StatusCode::NOT_FOUND, "not_found", "no such route", None)
}

/// `GET /healthz`: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.registry.db.execute_unprepared("SELECT 1").await {
        Ok(_) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// Serve the application on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
