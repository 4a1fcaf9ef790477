//! The HTTP edge (axum): router, authentication, one module per resource,
//! and the error → response mapping. Handlers stay thin: extract, call the
//! registry, render.

pub mod admin;
pub mod auth;
pub mod compliance;
pub mod documents;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod public;
pub mod ratelimit;
pub mod search;
pub mod serve;
pub mod uploads;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::registry::Registry;

/// Web-level settings (from [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The public address; absolute links are built from it.
    pub public_url: url::Url,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Public requests a second per client, and the burst.
    pub public_rate: (f64, f64),
    /// Public PDF checks at once.
    pub public_uploads: usize,
    /// Public reads at once (each may scan the register): staff traffic
    /// keeps the rest of the database pool.
    pub public_reads: usize,
    /// Staff uploads at once.
    pub staff_uploads: usize,
    /// Deadline of an upload request, body included.
    pub upload_timeout: std::time::Duration,
    /// Longest pause between two pieces of a request body.
    pub body_idle_timeout: std::time::Duration,
    /// Connection settings.
    pub serve: serve::ServeSettings,
    /// The target rates the compliance routes judge against.
    pub targets: crate::compliance::Targets,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self::from_config(&crate::config::Config::for_data_dir(std::path::Path::new(
            ".",
        )))
    }
}

impl WebSettings {
    /// The settings a configuration gives.
    pub fn from_config(c: &crate::config::Config) -> Self {
        Self {
            public_url: c.public_url.clone(),
            trusted_proxies: c.trusted_proxies.clone(),
            public_rate: (20.0, 100.0),
            public_uploads: c.public_uploads,
            public_reads: 4,
            staff_uploads: c.staff_uploads,
            upload_timeout: c.upload_timeout,
            body_idle_timeout: std::time::Duration::from_secs(15),
            serve: serve::ServeSettings::default(),
            targets: c.targets.clone(),
        }
    }
}

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
    /// The public statistics computed lately, per year.
    pub stats_cache: Arc<tokio::sync::Mutex<public::StatsCache>>,
    /// Web settings.
    pub web: Arc<WebSettings>,
    /// Per-client rate limits of the public routes.
    pub limiter: ratelimit::Limiter,
    /// Public PDF checks at once.
    pub public_uploads: ratelimit::Gate,
    /// Public reads at once.
    pub public_reads: ratelimit::Gate,
    /// Staff uploads at once.
    pub staff_uploads: ratelimit::Gate,
}

impl AppState {
    /// The state of one server with default web settings.
    pub fn new(registry: Arc<Registry>, log: Arc<crate::public::log::Log>) -> Self {
        Self::with_settings(registry, log, WebSettings::default())
    }

    /// The state of one server.
    pub fn with_settings(
        registry: Arc<Registry>,
        log: Arc<crate::public::log::Log>,
        web: WebSettings,
    ) -> Self {
        use std::time::Duration;
        Self {
            registry,
            log,
            exports: Arc::new(tokio::sync::Semaphore::new(1)),
            stats_cache: Arc::new(tokio::sync::Mutex::new(public::StatsCache::default())),
            limiter: ratelimit::Limiter::new(
                web.public_rate.0,
                web.public_rate.1,
                web.trusted_proxies.clone(),
            ),
            public_uploads: ratelimit::Gate::new(
                web.public_uploads,
                Duration::from_millis(200),
                "public PDF checks",
            ),
            public_reads: ratelimit::Gate::new(
                web.public_reads,
                Duration::from_secs(5),
                "public requests",
            ),
            staff_uploads: ratelimit::Gate::new(
                web.staff_uploads,
                Duration::from_secs(5),
                "uploads",
            ),
            web: Arc::new(web),
        }
    }
}

fn api_router(max_upload: u64) -> OpenApiRouter<AppState> {
    api_routes().merge(upload_routes(max_upload))
}

/// Every `/api/v1` route but the uploads.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(<openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .routes(routes!(documents::list_documents))
        .routes(routes!(documents::get_document))
        .routes(routes!(documents::download_file))
        .routes(routes!(documents::signed_revision))
        .routes(routes!(documents::ltv_data))
        .routes(routes!(documents::update_handling))
        .routes(routes!(documents::recall_document))
        .routes(routes!(documents::raise_secrecy))
        .routes(routes!(documents::reopen_document))
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
}

/// The staff upload routes: the file plus room for the metadata part and
/// multipart framing.
fn upload_routes(max_upload: u64) -> OpenApiRouter<AppState> {
    let upload_limit = usize::try_from(max_upload)
        .unwrap_or(usize::MAX)
        .saturating_add(1_000_000);
    OpenApiRouter::new()
        .routes(routes!(uploads::register_incoming))
        .routes(routes!(uploads::register_outgoing))
        .routes(routes!(uploads::verify_pdf))
        .layer(DefaultBodyLimit::max(upload_limit))
}

/// Build the application router over `state`.
pub fn router(state: AppState) -> Router {
    use axum::middleware::from_fn_with_state as mw;
    let max_upload = state.registry.max_upload_bytes;
    let spec = openapi::openapi();
    let upload_limit = usize::try_from(max_upload)
        .unwrap_or(usize::MAX)
        .saturating_add(1_000_000);
    let web = state.web.clone();
    // Staff uploads: a cap on how many at once, and a deadline.
    let uploads: Router<AppState> = upload_routes(max_upload)
        .split_for_parts()
        .0
        .route_layer(mw(web.upload_timeout, ratelimit::deadline))
        .route_layer(mw(state.staff_uploads.clone(), ratelimit::gate));
    let api: Router<AppState> = api_routes().split_for_parts().0.merge(uploads);
    let check = axum::routing::post(public::check)
        .layer(DefaultBodyLimit::max(upload_limit))
        .layer(mw(web.upload_timeout, ratelimit::deadline))
        .layer(mw(state.public_uploads.clone(), ratelimit::gate));
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
        .route_layer(mw(state.public_reads.clone(), ratelimit::gate))
        .route("/public/v1/check", check)
        .route_layer(mw(state.limiter.clone(), ratelimit::limit));
    api.route("/healthz", get(healthz))
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/public/dashboard") }),
        )
        .merge(public_routes)
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", spec))
        .fallback(not_found)
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            web.body_idle_timeout,
        ))
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
    match state.registry.ping().await {
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

/// Serve the application on `listener` until `shutdown` resolves; open
/// requests then get the configured grace period.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = state.web.serve;
    serve::serve(listener, router(state), settings, shutdown).await
}
