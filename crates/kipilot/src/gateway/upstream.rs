//! The HTTP client for the upstream model server.
//!
//! Built from what the binary already links (hyper's client, rustls via the mail
//! transport, Mozilla's root certificates) instead of a second HTTP stack: the gateway
//! needs HTTP/1.1 POST and GET with streaming bodies, connection reuse, TLS and timeouts,
//! nothing more. The upstream key is sent in the `Authorization` header and never logged.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderValue, Method, Request, Response, Uri, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::config::Secret;

/// How long opening a connection (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the upstream gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamFailure {
    /// Connection refused, DNS failure, TLS failure, reset before an answer.
    Unreachable,
    /// No answer within the configured time.
    Timeout,
}

/// The configured upstream: base URL, key and a pooled client.
pub struct Upstream {
    base: String,
    authorization: Option<HeaderValue>,
    client: Client<Connector, Full<Bytes>>,
    timeout: Duration,
}

impl Upstream {
    /// A client for `base_url` (the OpenAI-style base including `/v1`; a bare host gets
    /// `/v1` appended, as every OpenAI-compatible server serves the API there).
    pub fn new(
        base_url: &str,
        key: Option<&Secret>,
        timeout: Duration,
    ) -> anyhow::Result<Upstream> {
        let uri: Uri = base_url
            .parse()
            .map_err(|_| anyhow::anyhow!("KIPILOT_GATEWAY_UPSTREAM is not a valid URL"))?;
        if uri.host().is_none() {
            anyhow::bail!("KIPILOT_GATEWAY_UPSTREAM names no host");
        }
        let mut base = base_url.trim_end_matches('/').to_owned();
        if matches!(uri.path(), "" | "/") {
            base.push_str("/v1");
        }
        let authorization = match key {
            Some(k) => {
                let mut v =
                    HeaderValue::from_str(&format!("Bearer {}", k.expose())).map_err(|_| {
                        anyhow::anyhow!("KIPILOT_GATEWAY_UPSTREAM_KEY contains invalid characters")
                    })?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| anyhow::anyhow!("TLS setup failed: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = Connector {
            tls: TlsConnector::from(Arc::new(tls)),
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build(connector);
        Ok(Upstream {
            base,
            authorization,
            client,
            timeout,
        })
    }

    /// The configured wait for an answer (and for each further piece of a stream).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends a request to `{base}{path}` and waits (at most `wait`) for the response head.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        wait: Duration,
    ) -> Result<Response<Incoming>, UpstreamFailure> {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::ACCEPT, "application/json, text/event-stream")
            .header(header::USER_AGENT, "kipilot-gateway");
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(auth) = &self.authorization {
            builder = builder.header(header::AUTHORIZATION, auth.clone());
        }
        let request = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|_| UpstreamFailure::Unreachable)?;
        match tokio::time::timeout(wait, self.client.request(request)).await {
            Err(_) => Err(UpstreamFailure::Timeout),
            Ok(Err(e)) => {
                // The error names the failure kind only (no URL with credentials, no key).
                tracing::warn!(error = %error_chain(&e), "gateway upstream request failed");
                Err(UpstreamFailure::Unreachable)
            }
            Ok(Ok(response)) => Ok(response),
        }
    }
}

/// The error and its sources in one line, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Opens plain TCP for `http://` and TLS (Mozilla roots, SNI) for `https://`.
#[derive(Clone)]
pub struct Connector {
    tls: TlsConnector,
}

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<Stream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TokioIo<Stream>>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let tls = self.tls.clone();
        Box::pin(async move {
            let https = uri.scheme_str() == Some("https");
            let host = uri
                .host()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no host"))?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
            let connect = async {
                let tcp = TcpStream::connect((host.as_str(), port)).await?;
                tcp.set_nodelay(true)?;
                if !https {
                    return Ok(Stream::Plain(tcp));
                }
                let name = rustls::pki_types::ServerName::try_from(host.clone())
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad host name"))?;
                let stream = tls.connect(name, tcp).await?;
                Ok(Stream::Tls(Box::new(stream)))
            };
            match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
                Ok(result) => result.map(TokioIo::new),
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timeout")),
            }
        })
    }
}

/// A connection to the upstream, with or without TLS.
pub enum Stream {
    /// `http://`
    Plain(TcpStream),
    /// `https://`
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
