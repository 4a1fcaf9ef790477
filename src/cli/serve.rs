//! `vanthu serve`: the HTTP server, assembled by [`crate::app::Application`].

use anyhow::Context;

use crate::clock::Clock;
use crate::config::{Config, ServerOpts};
use crate::registry::types::Role;

/// Run the HTTP server (JSON API under /api/v1, OpenAPI at /openapi.json, Swagger UI at /docs)
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "VANTHU_LISTEN")]
    pub listen: Option<String>,
    /// Largest accepted upload in MB
    #[arg(long, env = "VANTHU_MAX_UPLOAD_MB")]
    pub max_upload_mb: Option<u64>,
    /// Agency abbreviation in outgoing numbers/symbols (e.g. SNV in 42/QĐ-SNV)
    #[arg(long, env = "VANTHU_AGENCY_CODE")]
    pub agency_code: Option<String>,
    /// Agency name, the issuing body of outgoing documents
    #[arg(long, env = "VANTHU_AGENCY_NAME")]
    pub agency_name: Option<String>,
    /// The address the public reaches this server at (absolute links in feeds and receipts) [default: http://LISTEN/]
    #[arg(long, env = "VANTHU_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Load a demo data set into an empty register and print a demo token
    #[arg(long)]
    pub demo: bool,
}

impl ServeArgs {
    /// The server's part of the configuration.
    pub fn server_opts(&self) -> ServerOpts {
        ServerOpts {
            listen: self.listen.clone(),
            max_upload_mb: self.max_upload_mb,
            agency_code: self.agency_code.clone(),
            agency_name: self.agency_name.clone(),
            public_url: self.public_url.clone(),
        }
    }
}

/// Serve until SIGINT or SIGTERM.
pub async fn run(config: Config, demo: bool) -> anyhow::Result<u8> {
    // The demo signs its documents with its own throwaway CA, trusted only in demo mode.
    let pki = if demo {
        Some(crate::demo::demo_pki(
            &config.data_dir.join("demo-pki"),
            &config.agency_name,
        )?)
    } else {
        None
    };
    let setup = crate::app::Setup {
        extra_anchors: pki.iter().map(|p| p.root.clone()).collect(),
        // The demo CA publishes no CRL.
        accept_unknown_revocation: demo,
        ..Default::default()
    };
    let app = crate::app::Application::build(&config, Clock::system(), setup).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!("vanthu listening on http://{addr}  (API /api/v1, docs http://{addr}/docs)");
    if demo {
        let reg = &app.registry;
        let added = crate::demo::load(reg, pki.as_ref()).await?;
        let name = "demo-clerk";
        let token = match reg.add_user(name, Role::Clerk, "demo").await {
            Ok((_, t)) => t,
            Err(_) => reg.rotate_token(name, "demo").await?,
        };
        if added > 0 {
            println!("demo data loaded: {added} documents");
        }
        println!("demo clerk token: {token}");
        println!(
            "try: curl -H 'Authorization: Bearer {token}' 'http://{addr}/api/v1/documents?q=cai+cach'"
        );
    }
    app.run(listener, shutdown_signal()).await?;
    Ok(0)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
